"""vbranch.market_sim."""
