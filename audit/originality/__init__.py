"""Original essays (issue 16, part 3): is an essay the member's own?

shingles: pure text helpers (normalising, shingles, MinHash band keys, overlap, highlighting);
services: the check and the index (writes); selectors: what the review page and the essay list
show. The models (OriginalityBand, OriginalityCheck, OriginalityMatch, MaterialText) are in
audit.models.
"""
