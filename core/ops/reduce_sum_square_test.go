package ops

import "testing"

func TestReduceSumSquare(t *testing.T) {
	mtONNX(t, "test_reduce_sum_square_default_axes_keepdims_example", "test_reduce_sum_square_default_axes_keepdims_random", "test_reduce_sum_square_do_not_keepdims_example", "test_reduce_sum_square_do_not_keepdims_random", "test_reduce_sum_square_keepdims_example", "test_reduce_sum_square_keepdims_random", "test_reduce_sum_square_negative_axes_keepdims_example", "test_reduce_sum_square_negative_axes_keepdims_random")
	mtReduceCommon(t, "ReduceSumSquare")
}
