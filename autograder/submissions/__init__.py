"""Reading what students hand in: finding and vetting submissions (folders, zips, notebooks), choosing the
file that counts for each assignment and extracting a notebook's definitions. Untrusted files are parsed
here, never imported or run: that happens only in the sandbox."""
