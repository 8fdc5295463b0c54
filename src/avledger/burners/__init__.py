"""Disc archives (刻录光盘, F12 to F14), without the database: plan the discs,
build each image with pycdlib, burn it with xorriso, read it back and verify.

``avledger.services.discs`` ties these to the register.
"""
