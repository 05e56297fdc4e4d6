"""Data parallelism (Chapter 5): the course's training code, unchanged, on two devices.

Each case runs in a fresh Python process, because the two logical CPU devices must be set up
before the backend starts. One training step on two devices, each with half of the batch,
must give the same weights as one step on one device with the whole batch.
"""
import os
import subprocess
import sys
import textwrap

import keras
import pytest

STEP = textwrap.dedent('''
    import numpy as np
    import keras
    from attention_course import config, training, transformer as T

    def one_step(scope):
        with scope:
            config.set_seed(0)
            model = T.Transformer(30, d_model=16, num_heads=2, d_ff=32, num_layers=1, dropout=0.0, max_len=8)
            model((np.ones((1, 6), "int32"), np.ones((1, 5), "int32")))
            model.compile(optimizer=keras.optimizers.SGD(0.5), loss=training.masked_loss())
        rng = np.random.default_rng(0)
        src, tgt = rng.integers(3, 30, (8, 6)), rng.integers(3, 30, (8, 6))
        src[:3, 4:] = 0
        model.fit((src, tgt[:, :-1]), tgt[:, 1:], batch_size=8, epochs=1, verbose=0, shuffle=False)
        return [np.asarray(w) for w in model.get_weights()]
''')

TENSORFLOW = STEP + textwrap.dedent('''
    import contextlib
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    single, mirrored = one_step(contextlib.nullcontext()), one_step(strategy.scope())
    print("replicas", strategy.num_replicas_in_sync, "largest difference", max(np.abs(a - b).max() for a, b in zip(single, mirrored)))
''')

JAX = STEP + textwrap.dedent('''
    import contextlib
    import jax
    assert len(jax.devices("cpu")) == 2
    single = one_step(contextlib.nullcontext())
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices("cpu")))
    parallel = one_step(contextlib.nullcontext())
    print("replicas", len(jax.devices("cpu")), "largest difference", max(np.abs(a - b).max() for a, b in zip(single, parallel)))
''')


@pytest.mark.skipif(keras.backend.backend() not in ("tensorflow", "jax"),
                    reason="data parallelism is shown with tf.distribute and keras.distribution (JAX)")
def test_one_step_on_two_devices_equals_one_step_on_one():
    backend = keras.backend.backend()
    env = {**os.environ, "KERAS_BACKEND": backend, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    result = subprocess.run([sys.executable, "-c", TENSORFLOW if backend == "tensorflow" else JAX],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = [l for l in result.stdout.splitlines() if l.startswith("replicas")][-1]
    replicas, difference = int(line.split()[1]), float(line.split()[-1])
    assert replicas == 2
    assert difference < 1e-5, line
