"""Public disclosure (行政执法公示): drafts with statutory deadlines, review and masking, publication, withdrawal,
take-down, and the public portal under /public/."""
