"""The channels messages go out on, each a real protocol: e-mail over SMTP (``email``)."""
