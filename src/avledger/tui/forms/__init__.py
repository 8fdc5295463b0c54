"""The forms: modal screens that check what they can as the user types, do no I/O, and dismiss
with a plain dataclass (or None when cancelled); the calling screen runs the service.

One module per family of forms, each with the dataclass its forms return and
the choices its caller loads for it through the services.
"""
