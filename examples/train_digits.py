"""Train a small CNN on scikit-learn's bundled handwritten digits (1797 8x8 images, no download)
with ember: a stratified 60/20/20 split, per-pixel standardization fitted on the training set,
light augmentation, Adam with a one-cycle schedule, early stopping, progress bars, a test-set
report (accuracy, confusion matrix, per-class precision/recall) and plots.

Run: pip install ".[demo]" && python examples/train_digits.py
     python examples/train_digits.py --quick      (a few epochs, for the tests)
     python examples/train_digits.py --out DIR    (where the plots and CSV go; default digits_out)
     mpirun -n 2 python examples/train_digits.py --distributed   (data-parallel over MPI: each
         rank trains on its share of every epoch; pip install ".[demo,distributed]")
"""
import argparse
import os
import time

import ember
import ember.nn.functional as F
from ember import data, metrics, nn, train
from ember import transforms as T

try:
    from sklearn.datasets import load_digits
except ImportError:
    raise SystemExit("train_digits.py needs scikit-learn for its bundled dataset: pip install '.[demo]'") from None


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a few epochs (tests, CI)")
    p.add_argument("--epochs", type=int, default=None, help="default: 60 (8 with --quick)")
    p.add_argument("--out", default="digits_out", help="folder for plots and the history CSV")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="ember's thread count (default: ember's)")
    p.add_argument("--distributed", action="store_true", help="data-parallel over MPI (launch with mpirun -n N)")
    return p.parse_args()


def make_model():
    """Two 3x3 conv blocks and a linear head: 8x8 -> 4x4 -> 2x2 -> 10 classes (21k parameters)."""
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 32), *block(32, 64), nn.Flatten(), nn.Dropout(0.1), nn.Linear(64 * 2 * 2, 10))


def main():
    args = parse_args()
    if args.threads:
        ember.set_num_threads(args.threads)
    epochs = args.epochs or (8 if args.quick else 60)
    rank, world = 0, 1
    if args.distributed:
        from ember import distributed as dist

        dist.init_process_group("mpi")
        rank, world = dist.get_rank(), dist.get_world_size()
    say = print if rank == 0 else (lambda *a, **k: None)  # one report, from rank 0
    ember.manual_seed(args.seed)
    start = time.perf_counter()

    digits = load_digits()
    images = ember.tensor(digits.images, dtype=ember.float32).unsqueeze(1)     # (1797, 1, 8, 8), values 0..16
    labels = ember.tensor(digits.target, dtype=ember.int64)
    g = ember.Generator().manual_seed(args.seed)
    train_idx, val_idx, test_idx = data.train_val_test_split(len(labels), (0.6, 0.2, 0.2), stratify=labels,
                                                             generator=g)
    # Per-pixel standardization on the flattened images, fitted on the training images only. The
    # always-blank border pixels have std 0: Standardize only centres them (no division by ~0).
    scaler = data.Standardize().fit(images[train_idx].reshape(-1, 64))

    def standardize(x):
        return scaler.transform(x.reshape(-1, 64)).reshape(-1, 1, 8, 8)

    # Augmentation on the raw images (background 0, so the affine fill is background), then scaling:
    # small rotations, shifts under a pixel and zooms keep every digit legible at 8x8.
    # OneCycleLR and early stopping: patience 15 of 60 epochs, so a run is not cut off while the
    # rate is still high (the best weights come back either way).
    augment = T.RandomAffine(degrees=8, translate=(0.1, 0.1), scale=(0.95, 1.05),
                             interpolation=T.InterpolationMode.BILINEAR)

    def train_collate(batch):
        x, y = data.default_collate(batch)
        return standardize(augment(x)), y

    def eval_collate(batch):
        x, y = data.default_collate(batch)
        return standardize(x), y

    def loader(idx, collate, shuffle=False):
        dataset = data.TensorDataset(images[idx], labels[idx])
        if shuffle and args.distributed:  # each rank its share of every epoch, in the same order on all
            sampler = data.DistributedSampler(dataset, seed=args.seed)
            return data.DataLoader(dataset, batch_size=32, sampler=sampler, collate_fn=collate)
        return data.DataLoader(dataset, batch_size=32, shuffle=shuffle, collate_fn=collate, generator=g)

    train_loader = loader(train_idx, train_collate, shuffle=True)
    val_loader, test_loader = loader(val_idx, eval_collate), loader(test_idx, eval_collate)
    say(f"digits: {len(train_idx)} train / {len(val_idx)} val / {len(test_idx)} test images, 8x8, 10 classes")

    model = make_model()
    say(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")
    callbacks = []
    if args.distributed:
        # Gradients averaged across ranks during backward; rank 0's weights and buffers everywhere.
        model = nn.parallel.DistributedDataParallel(model)
        ember.manual_seed(args.seed + rank)  # the same weights everywhere, then each rank its own augmentation
        sampler = train_loader.sampler

        class NextEpoch(train.Callback):
            def on_epoch_end(self, epoch, logs=None):
                sampler.set_epoch(epoch + 1)  # a new shuffle, the same on every rank

        callbacks.append(NextEpoch())
        say(f"distributed: {world} ranks, {len(train_loader)} batches of 32 per rank and epoch")
    optimizer = ember.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    # OneCycleLR counts batches: fit steps it after every batch.
    scheduler = ember.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-2, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    stopper = train.EarlyStopping(monitor="val_loss", patience=15, restore_best_weights=True, model=model)
    history = train.fit(model, optimizer, F.cross_entropy, train_loader, val_loader, epochs=epochs,
                        scheduler=scheduler, metrics={"accuracy": metrics.Accuracy()},
                        callbacks=[*callbacks, stopper],
                        verbose=rank == 0, progress=None if rank == 0 else False)
    ran = len(history.epochs["loss"])
    if stopper.stopped_epoch is not None:
        say(f"early stopping after epoch {stopper.stopped_epoch}; best val_loss {stopper.best:.4f} "
            f"at epoch {stopper.best_epoch} (its weights restored)")

    if rank != 0:
        return  # rank 0 holds the same model: it alone evaluates and reports

    model.eval()
    with ember.no_grad():
        scores = ember.cat([model(x) for x, _ in test_loader])
    y_test = labels[test_idx]
    y_pred = scores.argmax(1)
    accuracy = metrics.accuracy_score(y_test, y_pred)
    seconds = time.perf_counter() - start
    print(f"\ntest accuracy {accuracy:.4f} ({int((y_pred != y_test).sum())} of {len(y_test)} wrong) "
          f"after {ran} epochs, {seconds:.1f} s in all")
    print("\nconfusion matrix (rows: true digit, columns: predicted):")
    cm = metrics.confusion_matrix(y_test, y_pred)
    print("     " + " ".join(f"{c:>3}" for c in range(10)))
    for c, row in enumerate(cm.tolist()):
        print(f"{c:>3}  " + " ".join(f"{v:>3}" for v in row))
    print("\n" + metrics.classification_report(y_test, y_pred, digits=3))

    os.makedirs(args.out, exist_ok=True)
    history.to_csv(os.path.join(args.out, "history.csv"))
    try:
        written = history.plot(args.out)
    except ImportError as e:
        print(f"no plots: {e}")
    else:
        print("plots:", ", ".join(sorted(os.path.basename(p) for p in written)), "in", args.out)


if __name__ == "__main__":
    main()
