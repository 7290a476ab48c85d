"""Payment screening: ISO 20022 (pacs.008, pain.001), SWIFT MT103 and crypto wallet addresses.

Pipeline: bytes → ``iso20022`` / ``mt103`` (typed ``PaymentMessage`` with every
party, identifier and remittance text, positions for errors) → ``screen`` (each
party through the node, every text through the listed-wallet index) → ``report``.
Parsers are pure: no I/O, no node.
"""
