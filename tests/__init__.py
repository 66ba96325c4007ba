# Keeps `tests` a package: medspacy_quickumls installs a top-level `tests` package
# into site-packages that would otherwise shadow ours.
