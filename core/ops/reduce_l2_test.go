package ops

import "testing"

func TestReduceL2(t *testing.T) {
	mtONNX(t, "test_reduce_l2_default_axes_keepdims_example", "test_reduce_l2_default_axes_keepdims_random", "test_reduce_l2_do_not_keepdims_example", "test_reduce_l2_do_not_keepdims_random", "test_reduce_l2_keep_dims_example", "test_reduce_l2_keep_dims_random", "test_reduce_l2_negative_axes_keep_dims_example", "test_reduce_l2_negative_axes_keep_dims_random")
	mtReduceCommon(t, "ReduceL2")
}
