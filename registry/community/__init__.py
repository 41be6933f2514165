"""The community tier: facts from public community data sets, never official (trust: community)."""
