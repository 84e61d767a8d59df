"""网格地图 (grid map): the town's grids drawn in the terminal, coloured by a figure per grid."""
