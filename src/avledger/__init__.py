"""avledger: the register of audio-visual enforcement records (执法音像记录管理)."""

__version__ = "0.1.0"
