package ops

import "testing"

func TestReduceProd(t *testing.T) {
	mtONNX(t, "test_reduce_prod_default_axes_keepdims_example", "test_reduce_prod_default_axes_keepdims_random", "test_reduce_prod_do_not_keepdims_example", "test_reduce_prod_do_not_keepdims_random", "test_reduce_prod_keepdims_example", "test_reduce_prod_keepdims_random", "test_reduce_prod_negative_axes_keepdims_example", "test_reduce_prod_negative_axes_keepdims_random")
	mtReduceCommon(t, "ReduceProd")
}
