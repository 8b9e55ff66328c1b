"""Every decision samey makes, in one place: thresholds, the audit verdict, the Phase I baseline,
segment rules, the draft rule of check, report alerts, and the words that say them."""
