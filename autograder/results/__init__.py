"""From test records to what ``grade`` writes: points per test, the gradebook, Gradescope's results.json,
the feedback page, and the fingerprints that let a killed batch resume. Trusted side; it never sees
student code, only the records the runner produced."""
