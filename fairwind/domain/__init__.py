"""Domain rules more than one service applies, with no I/O (checked by import-linter): the
shipment status taxonomy, waybill numbers and their check digit, masking personal data."""
