package ui

// InspectorTable lists the Inspector's verdict per node: device and why.
type InspectorTable struct {
	Report *InspectorReport
}

// Nodes are the nodes worth a row (graph inputs and folded constants are
// left out).
func (c *InspectorTable) Nodes() []InspectorNode {
	if c.Report == nil {
		return nil
	}
	var out []InspectorNode
	for _, n := range c.Report.Nodes {
		if n.Device == "USER" || n.Device == "CONST" {
			continue
		}
		out = append(out, n)
	}
	return out
}

// DeviceClass styles the device cell.
func (n InspectorNode) DeviceClass() string {
	if n.Device == "CPU" {
		return "dev cpu"
	}
	return "dev dpu"
}
