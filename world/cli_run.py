"""``vbranch run``: placeholder registration replaced by the world issue."""
