package ops

import "testing"

func TestLogSoftmax(t *testing.T) {
	mtONNX(t, "test_logsoftmax_axis_0", "test_logsoftmax_axis_1", "test_logsoftmax_axis_2",
		"test_logsoftmax_default_axis", "test_logsoftmax_example_1", "test_logsoftmax_large_number",
		"test_logsoftmax_negative_axis")
	mtONNX(t, "test_logsoftmax_axis_0_expanded", "test_logsoftmax_axis_1_expanded",
		"test_logsoftmax_axis_2_expanded", "test_logsoftmax_default_axis_expanded",
		"test_logsoftmax_example_1_expanded", "test_logsoftmax_large_number_expanded",
		"test_logsoftmax_negative_axis_expanded")
	mtSoftmaxCases(t, "LogSoftmax", true)
}
