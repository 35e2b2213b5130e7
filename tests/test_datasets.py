"""The shipped data sets regenerate bit for bit, and the digits split is the one EXERCISES.md fixes."""
import numpy as np
import pytest

from backprop_datasets import POINT_SETS, load_diabetes_split, load_digits_split, load_points
from backprop_datasets.make_points import write_point_sets
from backprop_datasets.points import points_path


def test_point_sets_regenerate_bit_for_bit(tmp_path):
    write_point_sets(tmp_path)
    for name in POINT_SETS:
        assert (tmp_path / points_path(name).name).read_bytes() == points_path(name).read_bytes(), name


@pytest.mark.parametrize("name", POINT_SETS)
def test_point_sets_are_balanced_in_the_unit_square(name):
    X, y = load_points(name)
    assert X.shape == (100, 2) and y.shape == (100,)
    assert np.all((X >= 0) & (X <= 1))
    assert sorted(set(y)) == [0, 1] and y.sum() == 50


def test_unknown_point_set_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown point set 'xor'; choose one of perceptron, gradient_descent"):
        load_points("xor")


def test_standard_digits_split(digits):
    X_train, X_test, y_train, y_test = digits
    assert X_train.shape == (1527, 64) and X_test.shape == (270, 64)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.shape == (1527,) and set(y_test) == set(range(10))
    np.testing.assert_allclose(X_train.mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(X_test.mean(axis=0), 0, atol=1e-5), "the scaler must be fitted on the training part only"


def test_other_seeds_give_other_splits(digits):
    _, X_test, _, _ = digits
    _, other_test, _, _ = load_digits_split(seed=1)
    assert other_test.shape == X_test.shape and not np.array_equal(other_test, X_test)


@pytest.mark.parametrize("seed, test_size", [(37, 0.15), (101, 0.15), (0, 0.15), (12345, 0.15), (37, 0.5), (7, 0.33)])
def test_digits_split_is_scikit_learns_bit_for_bit(seed, test_size):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(np.asarray(digits.data, dtype=np.float32), digits.target,
                                                        test_size=test_size, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    expected = (scaler.transform(X_train), scaler.transform(X_test), y_train, y_test)
    for got, want in zip(load_digits_split(seed, test_size), expected):
        assert got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()


def test_loading_the_digits_does_not_import_scikit_learn():
    # Importing scikit-learn costs about a second of CPU in every process that grades (and in every cold grade).
    import subprocess
    import sys

    code = ("import sys; from backprop_datasets import load_digits_split, load_diabetes_split; load_digits_split(); "
            "load_diabetes_split(); sys.exit('sklearn' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_standard_diabetes_split():
    from backprop_datasets import load_diabetes_split

    X_train, X_test, y_train, y_test = load_diabetes_split()
    assert X_train.shape == (353, 10) and X_test.shape == (89, 10) and y_train.shape == (353,) and y_test.shape == (89,)
    assert X_train.dtype == y_train.dtype == np.float64
    np.testing.assert_allclose(X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0), 1)
    assert abs(y_train.mean()) < 1e-12 and y_train.std() == pytest.approx(1)
    assert abs(y_test.mean()) > 1e-3, "the target is standardised with the training part's statistics only"
    _, other_test, _, _ = load_diabetes_split(seed=101)
    assert other_test.shape == X_test.shape and not np.array_equal(other_test, X_test)


@pytest.mark.parametrize("seed, test_size", [(37, 0.2), (101, 0.2), (5, 0.3)])
def test_diabetes_split_is_scikit_learns(seed, test_size):
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    X, target = load_diabetes(return_X_y=True, scaled=False)
    X_train, X_test, y_train, y_test = train_test_split(X, target, test_size=test_size, random_state=seed)
    mean, std, y_mean, y_std = X_train.mean(axis=0), X_train.std(axis=0), y_train.mean(), y_train.std()
    expected = ((X_train - mean) / std, (X_test - mean) / std, (y_train - y_mean) / y_std, (y_test - y_mean) / y_std)
    for got, want in zip(load_diabetes_split(seed, test_size), expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
