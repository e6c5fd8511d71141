package ops

import "testing"

func TestReduceL1(t *testing.T) {
	mtONNX(t, "test_reduce_l1_default_axes_keepdims_example", "test_reduce_l1_default_axes_keepdims_random", "test_reduce_l1_do_not_keepdims_example", "test_reduce_l1_do_not_keepdims_random", "test_reduce_l1_keep_dims_example", "test_reduce_l1_keep_dims_random", "test_reduce_l1_negative_axes_keep_dims_example", "test_reduce_l1_negative_axes_keep_dims_random")
	mtReduceCommon(t, "ReduceL1")
}
