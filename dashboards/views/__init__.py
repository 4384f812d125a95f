"""The analysis pages: trends and CompStat, GunStat and an area's timeline."""
