package ops

import "testing"

func TestReduceMean(t *testing.T) {
	mtONNX(t, "test_reduce_mean_default_axes_keepdims_example", "test_reduce_mean_default_axes_keepdims_random", "test_reduce_mean_do_not_keepdims_example", "test_reduce_mean_do_not_keepdims_random", "test_reduce_mean_keepdims_example", "test_reduce_mean_keepdims_random", "test_reduce_mean_negative_axes_keepdims_example", "test_reduce_mean_negative_axes_keepdims_random")
	mtReduceCommon(t, "ReduceMean")
}
