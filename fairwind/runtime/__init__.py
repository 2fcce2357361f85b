"""The process runtime every service shares: its command line (``cli``), the HTTP and gRPC
servers it runs (``serving``), and how they start, run until a signal and drain
(``lifecycle``)."""
