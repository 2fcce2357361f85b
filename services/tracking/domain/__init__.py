"""Pure tracking rules: the forward-only status machine, deviation detection, live ETA,
privacy masking. No I/O."""
