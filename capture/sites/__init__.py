"""Site knowledge, as data. One module per site; NetEase is the only one."""
