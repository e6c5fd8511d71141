package ui

// LayerTable is the sortable per-layer table. It owns its sort state; the
// rows come from the parent.
type LayerTable struct {
	Rows []LayerRow

	sortCol  string
	sortDesc bool
}

// Sorted is the rows in the chosen order.
func (c *LayerTable) Sorted() []LayerRow {
	if c.sortCol == "" {
		return c.Rows
	}
	return SortLayers(c.Rows, c.sortCol, c.sortDesc)
}

// SortBy sorts by a column; a second click reverses the order.
func (c *LayerTable) SortBy(col string) {
	if c.sortCol == col {
		c.sortDesc = !c.sortDesc
		return
	}
	c.sortCol, c.sortDesc = col, col == ColSQNR || col == ColCycles
	if col == ColSQNR {
		c.sortDesc = false // worst layers first
	}
}

// AriaSort is the aria-sort value of a column header.
func (c *LayerTable) AriaSort(col string) string {
	switch {
	case c.sortCol != col:
		return "none"
	case c.sortDesc:
		return "descending"
	}
	return "ascending"
}
