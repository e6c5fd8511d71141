package ops

import "testing"

func TestReduceMax(t *testing.T) {
	mtONNX(t, "test_reduce_max_default_axes_keepdim_example", "test_reduce_max_default_axes_keepdims_random", "test_reduce_max_do_not_keepdims_example", "test_reduce_max_do_not_keepdims_random", "test_reduce_max_keepdims_example", "test_reduce_max_keepdims_random", "test_reduce_max_negative_axes_keepdims_example", "test_reduce_max_negative_axes_keepdims_random")
	mtReduceCommon(t, "ReduceMax")
}
