"""From test records to what ``grade`` writes: points per test, adjustments (overrides, manual points,
late penalties), the gradebook, ``changes.csv``, Gradescope's results.json, the feedback page, and the
fingerprints that let a killed batch resume and a changed kit regrade what it affects. Trusted side; it
never sees student code, only the records the runner produced."""
