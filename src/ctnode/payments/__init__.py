"""Payment messages: ISO 20022 (pacs.008, pain.001), SWIFT MT103 and crypto wallet addresses.

Pipeline: bytes → ``parse`` (detects the format) → ``iso20022`` / ``mt103`` (typed
``PaymentMessage`` with every party, identifier and remittance text, positions for
errors); ``crypto`` finds and checks wallet addresses, ``wallets`` indexes the listed
ones. Parsers only: no I/O, no store; screening is ``ctnode.services.batches.payments``.
"""
