"""What a screen does with a form: open it with choices loaded through the services, run the service on
what it returns, reopen it with the refusal. Mixins shared by a section's list and the pages opened from it.
"""
