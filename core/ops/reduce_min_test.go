package ops

import "testing"

func TestReduceMin(t *testing.T) {
	mtONNX(t, "test_reduce_min_default_axes_keepdims_example", "test_reduce_min_default_axes_keepdims_random", "test_reduce_min_do_not_keepdims_example", "test_reduce_min_do_not_keepdims_random", "test_reduce_min_keepdims_example", "test_reduce_min_keepdims_random", "test_reduce_min_negative_axes_keepdims_example", "test_reduce_min_negative_axes_keepdims_random")
	mtReduceCommon(t, "ReduceMin")
}
