"""The account managers' day: managers, the assignment of key accounts, activities
and visits, due visits and portfolios."""
