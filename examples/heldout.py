"""Held-out bugs: one-change mistakes that are NOT in the catalogue, to measure diagnosis on bugs it never saw.

Issue 14's bar: the catalogue's bugs are what the diagnoses were built and tuned on, so their rate
says little about a student's next mistake. These were written before the diagnoses were last
worked on, of the catalogue's kinds (a sign, an axis, a transpose, a missing 1/n, a bias, an
epsilon, a derivative at the wrong place, a factor, in place, a dtype), and are never used to
tune them. ``autograder generate`` does not read this file: no known bug is made of them, so
only relations and the tests' own known mistakes can name them.

``about`` is the mistake in words; ``said`` the words a right diagnosis of it would contain. A
diagnosis said of one of them that contains none of these is a wrong one
(``tests/test_heldout_diagnoses.py``), unless :data:`TRUE_BUT_UNNAMED` lists it: a relation that
holds of the bug's value without naming its cause, judged one by one after the first measurement
(it counts neither as a diagnosis of the bug nor as a wrong one). ``expect`` is the tests it was written to fail, as far as
its author could tell; the measure reads which tests failed from the run itself.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalogue import BUG, P01, P02, P03, P04, P05, P06, P07, P08, Example, Replace, tests  # noqa: E402

HELD_OUT = [
    Example(BUG, "heldout_prediction_subtracts_bias", P01,
            Replace("np.asarray(W, dtype=float)) + b", "np.asarray(W, dtype=float)) - b"),
            tests("test_prediction_known_points", "test_hidden_prediction_matches_reference"),
            about="prediction subtracts the bias", said=("subtracts the bias",)),
    Example(BUG, "heldout_one_hot_extra_column", P02,
            Replace("encoded = np.zeros(y.shape + (n_classes,))", "encoded = np.zeros(y.shape + (n_classes + 1,))"),
            tests("test_one_hot_shapes_and_values", "test_hidden_one_hot_matches_reference"),
            about="one_hot makes one column too many", said=("column", "n_classes")),
    Example(BUG, "heldout_softmax_divides_by_max", P02,
            Replace("return exp / np.sum(exp, axis=-1, keepdims=True)", "return exp / np.max(exp, axis=-1, keepdims=True)"),
            tests("test_softmax_rows_are_probabilities", "test_softmax_known_values",
                  "test_hidden_softmax_matches_reference"),
            about="softmax divides by the row's largest exponential instead of the row's sum", said=("max", "sum")),
    Example(BUG, "heldout_nll_sums_over_rows", P02,
            Replace("log_likelihoods = np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)",
                    "log_likelihoods = np.sum(Y_true * np.log(EPSILON + Y_pred), axis=0)"),
            tests("test_nll_published_values", "test_hidden_nll_matches_reference"),
            about="nll sums each class over the rows (axis 0) and averages over the classes", said=("axis",)),
    Example(BUG, "heldout_cross_entropy_sign", P02,
            Replace("return float(-np.sum(Y * np.log(P)", "return float(np.sum(Y * np.log(P)"),
            tests("test_cross_entropy_known_value", "test_hidden_cross_entropy_matches_reference"),
            about="cross-entropy without the minus sign", said=("times -1",)),
    Example(BUG, "heldout_gd_bias_step_sign", P03,
            Replace("bias = bias + learnrate * error", "bias = bias - learnrate * error"),
            tests("test_update_weights_gradient_check", "test_train_reaches_accuracy",
                  "test_hidden_update_weights_matches_reference", "test_hidden_update_weights_gradient_check",
                  "test_hidden_train_reaches_accuracy"),
            about="the bias steps along the gradient while the weights step against it", said=("times -1", "sign")),
    Example(BUG, "heldout_error_formula_second_term_sign", P03,
            Replace("return -y * np.log(output) - (1 - y) * np.log(1 - output)",
                    "return -y * np.log(output) + (1 - y) * np.log(1 - output)"),
            tests("test_error_formula_known_values", "test_hidden_error_formula_matches_reference"),
            about="the log-loss adds (1 - y) log(1 - p) instead of subtracting it", said=("sign",)),
    Example(BUG, "heldout_lr_bias_gradient_divided", P04,
            Replace('return {"W": np.outer(x, grad_z), "b": grad_z}',
                    'return {"W": np.outer(x, grad_z), "b": grad_z / len(x)}'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            about="the bias gradient divided by the number of features", said=("divided by",)),
    Example(BUG, "heldout_lr_forward_subtracts_bias", P04,
            Replace("return softmax(np.dot(np.asarray(X), self.W) + self.b)",
                    "return softmax(np.dot(np.asarray(X), self.W) - self.b)"),
            tests("test_forward_known_values", "test_hidden_forward_matches_reference"),
            about="forward subtracts the bias", said=("bias",)),
    Example(BUG, "heldout_mlp_output_weights_gradient_transposed", P05,
            Replace('"W_o": np.outer(h, grad_z_o),', '"W_o": np.outer(grad_z_o, h),'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            about="dW_o as outer(dz_o, h): the transpose", said=("transpose",)),
    Example(BUG, "heldout_mlp_output_error_doubled", P05,
            Replace("grad_z_o = y - one_hot(self.output_size, y_true)", "grad_z_o = 2 * (y - one_hot(self.output_size, y_true))"),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            about="the output error term is doubled (the derivative of a square, not of the nll)",
            said=("twice", "factor 2")),
    Example(BUG, "heldout_two_layer_gradients_not_averaged", P06,
            Replace("dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)", "dZ2 = (A2 - Y) * A2 * (1 - A2)"),
            tests("test_two_layer_gradients_gradient_check", "test_hidden_two_layer_gradients_matches_reference",
                  "test_hidden_two_layer_gradients_gradient_check"),
            about="two_layer_gradients forgets the 1/n of the mean", said=("a whole number", "1/n", "mean")),
    Example(BUG, "heldout_backprop_hidden_term_output_slope", P06,
            Replace("hidden_error_term = weights_hidden_output * output_error_term * hidden_output * (1 - hidden_output)",
                    "hidden_error_term = weights_hidden_output * output_error_term * output * (1 - output)"),
            tests("test_backprop_step_gradient_check", "test_hidden_backprop_step_matches_reference",
                  "test_hidden_backprop_step_gradient_check"),
            about="the hidden error term uses the output's slope instead of the hidden layer's",
            said=("slope", "derivative")),
    Example(BUG, "heldout_relu_diff_returns_bool", P06,
            Replace("(np.asarray(x, dtype=float) > 0).astype(float)", "(np.asarray(x, dtype=float) > 0)"),
            tests("test_relu_values_and_slopes", "test_hidden_activation_classes_match_reference"),
            about="ReLU().diff returns booleans instead of floats", said=("bool",)),
    Example(BUG, "heldout_dropout_keeps_with_p_drop", P07,
            Replace("    mask = rng.random(A.shape) >= p_drop\n", "    mask = rng.random(A.shape) < p_drop\n"),
            tests("test_dropout_keeps_rescales_and_draws_once_while_training", "test_hidden_dropout_matches_reference"),
            about="dropout keeps each unit with probability p_drop instead of 1 - p_drop", said=("p_drop", "keep")),
    Example(BUG, "heldout_dropout_in_place", P07,
            Replace("    return A * mask / (1.0 - p_drop), mask\n",
                    "    A *= mask / (1.0 - p_drop)  # in the caller's array\n    return A, mask\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="dropout scales the caller's activations in place", said=("in place",)),
    Example(BUG, "heldout_training_output_bias_gradient_mean", P07,
            Replace('"b_o": np.sum(grad_z_o, axis=0),', '"b_o": np.mean(grad_z_o, axis=0),'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            about="b_o's gradient averaged over the batch a second time", said=("divided by",)),
    Example(BUG, "heldout_regression_mse_sums_rows", P08,
            Replace("return float(0.5 * np.mean(np.sum(difference ** 2, axis=1)))",
                    "return float(0.5 * np.sum(np.sum(difference ** 2, axis=1)))"),
            tests("test_mse_known_values", "test_hidden_mse_matches_reference"),
            about="mse sums over the rows instead of averaging", said=("a whole number",)),
    Example(BUG, "heldout_deep_gradients_sign", P08,
            Replace("delta = (activation - as_rows(Y, len(X))) / len(X)", "delta = (as_rows(Y, len(X)) - activation) / len(X)"),
            tests("test_deep_gradients_pass_the_gradient_check", "test_hidden_deep_gradients_match_reference",
                  "test_hidden_deep_gradients_gradient_check"),
            about="deep_gradients' output error is target - output: every gradient's sign is flipped",
            said=("times -1",)),
]

#: Diagnoses said of held-out bugs whose relation holds without naming the bug, by bug, as judged by hand.
TRUE_BUT_UNNAMED = {
    # the hidden test's batch has 5 times as many rows as classes: the value is the expected one divided by 5
    "heldout_nll_sums_over_rows": ("the expected value divided by 5, a whole number",),
    # the bias alone steps along the gradient: for the bias, it is gradient ascent
    "heldout_gd_bias_step_sign": ("gradient ascent: the step goes along the gradient",),
    # keeping with probability p_drop drops every unit of a small array: A_out is zero (but it was computed)
    "heldout_dropout_keeps_with_p_drop": ("is zero, where it should not be",),
    # a sum over the 2 rows of a batch is twice their mean
    "heldout_regression_mse_sums_rows": ("twice the expected value",),
}
