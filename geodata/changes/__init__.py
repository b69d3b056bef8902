"""Changes between two versions of a plan (for a § 4a Abs. 3 round): the diff, the stored comparison, its reads.

- `diff`: pure comparison of two versions' elements and text sections
- `services`: `comparison_create` stores a VersionComparison with its ElementChange rows
- `selectors`: what the plan page and the staff pages show of a comparison
"""
