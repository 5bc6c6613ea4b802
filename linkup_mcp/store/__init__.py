"""What outlasts a call: the ledger (spend, sends, pacing) and the paid-read cache."""
