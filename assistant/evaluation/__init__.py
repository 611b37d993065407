"""Measuring, not answering: `akhbar eval` (`evaluate`) and answer latency (`bench`)."""
