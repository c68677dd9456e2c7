"""Train a binary classifier on scikit-learn's bundled breast-cancer data (569 tumours, 30
features, no download) with ember, and show its ROC curve with AUC and its precision-recall
curve with average precision on the test set.

Run: pip install ".[demo]" && python examples/train_breast_cancer.py
     python examples/train_breast_cancer.py --quick     (fewer epochs, for the tests)
     python examples/train_breast_cancer.py --out DIR   (where the plots go; default breast_cancer_out)
"""
import argparse
import os
import time

import ember
import ember.nn.functional as F
from ember import data, metrics, nn, train

try:
    from sklearn.datasets import load_breast_cancer
except ImportError:
    raise SystemExit("train_breast_cancer.py needs scikit-learn for its bundled dataset: pip install '.[demo]'") from None


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer epochs (tests, CI)")
    p.add_argument("--epochs", type=int, default=None, help="default: 60 (10 with --quick)")
    p.add_argument("--out", default="breast_cancer_out", help="folder for the plots and the history CSV")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    epochs = args.epochs or (10 if args.quick else 60)
    ember.manual_seed(args.seed)
    start = time.perf_counter()

    bunch = load_breast_cancer()
    x = ember.tensor(bunch.data, dtype=ember.float32)
    y = ember.tensor(bunch.target, dtype=ember.int64)              # 1: benign, 0: malignant
    g = ember.Generator().manual_seed(args.seed)
    train_idx, val_idx, test_idx = data.train_val_test_split(len(y), (0.6, 0.2, 0.2), stratify=y, generator=g)
    scaler = data.Standardize().fit(x[train_idx])                   # the training rows' statistics only
    x = scaler.transform(x)

    def loader(idx, shuffle=False):
        return data.DataLoader(data.TensorDataset(x[idx], y[idx]), batch_size=32, shuffle=shuffle, generator=g)

    train_loader, val_loader = loader(train_idx, shuffle=True), loader(val_idx)
    print(f"breast cancer: {len(train_idx)} train / {len(val_idx)} val / {len(test_idx)} test, 30 features")

    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
    optimizer = ember.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)   # stepped per epoch
    stopper = train.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
    history = train.fit(model, optimizer, F.cross_entropy, train_loader, val_loader, epochs=epochs,
                        scheduler=scheduler, callbacks=[stopper],
                        metrics={"acc": metrics.Accuracy(), "auc": metrics.AUROC()})  # from the (batch, 2) logits
    ran = len(history.epochs["loss"])

    model.eval()
    with ember.no_grad():
        p_benign = F.softmax(model(x[test_idx]), dim=1)[:, 1]
    y_test = y[test_idx]
    y_pred = (p_benign > 0.5).long()
    fpr, tpr, _ = metrics.roc_curve(y_test, p_benign)
    precision, recall, _ = metrics.precision_recall_curve(y_test, p_benign)
    auc = metrics.roc_auc_score(y_test, p_benign)
    ap = metrics.average_precision_score(y_test, p_benign)
    print(f"trained {ran} epochs in {time.perf_counter() - start:.1f} s; best val_loss {stopper.best:.4f}")
    print(f"test accuracy {metrics.accuracy_score(y_test, y_pred):.4f}  ROC AUC {auc:.4f}  "
          f"average precision {ap:.4f}")
    print(f"ROC curve: {len(fpr)} points; precision-recall curve: {len(precision)} points")
    print("\n" + metrics.classification_report(y_test, y_pred, target_names=list(bunch.target_names), digits=3))

    os.makedirs(args.out, exist_ok=True)
    history.to_csv(os.path.join(args.out, "history.csv"))
    try:
        written = history.plot(args.out, roc={f"AUC {auc:.3f}": (fpr, tpr)}, pr={f"AP {ap:.3f}": (precision, recall)})
    except ImportError as e:
        print(f"no plots: {e}")
    else:
        print("plots:", ", ".join(sorted(os.path.basename(p) for p in written)), "in", args.out)


if __name__ == "__main__":
    main()
