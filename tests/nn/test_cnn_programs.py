"""PyTorch programs, as their authors wrote them, run with ember in torch's place: the networks
and training steps of pytorch/examples' MNIST, the CIFAR-10 tutorial and DCGAN, each built by
the same code from a `torch` module argument (the real one, or ember). From the same weights
(torch's, loaded into ember's state_dict) both must give the same losses, step after step."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def mnist_net(torch):
    """pytorch/examples mnist/main.py's Net."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)

    return Net()


def cifar_tutorial_net(torch):
    """The "Training a classifier" tutorial's Net."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net()


def dcgan_generator(torch, nz=16, ngf=8, nc=3):
    """pytorch/examples dcgan's Generator (smaller widths), with its weights_init."""
    nn = torch.nn
    net = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find('Conv') != -1:
            torch.nn.init.normal_(m.weight, 0.0, 0.02)
        elif classname.find('BatchNorm') != -1:
            torch.nn.init.normal_(m.weight, 1.0, 0.02)
            torch.nn.init.zeros_(m.bias)

    net.apply(weights_init)
    return net


def dcgan_discriminator(torch, ndf=8, nc=3):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False), nn.Sigmoid())


def _pair(build):
    """The network in torch and in ember, ember's holding torch's weights and buffers."""
    theirs = build(torch)
    mine = build(ember)
    result = mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    return theirs, mine


def test_mnist_example_trains_as_torch():
    """Adadelta with StepLR, nll_loss over log_softmax; dropout off (eval) so the draws agree."""
    torch.manual_seed(0)
    nets = dict(zip(("torch", "ember"), _pair(mnist_net)))
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, 16)
    losses = {}
    for lib in (torch, ember):
        model = nets[lib.__name__]
        model.eval()
        opt = lib.optim.Adadelta(model.parameters(), lr=1.0)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
        losses[lib.__name__] = []
        for _ in range(3):
            opt.zero_grad()
            loss = lib.nn.functional.nll_loss(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            sched.step()
            losses[lib.__name__].append(loss.item())
        with lib.no_grad():
            pred = model(lib.tensor(x)).argmax(dim=1, keepdim=True)
            losses[lib.__name__].append(pred.eq(lib.tensor(y).view_as(pred)).sum().item())
    np.testing.assert_allclose(losses["ember"], losses["torch"], rtol=1e-4)


def test_cifar_tutorial_trains_as_torch():
    """CrossEntropyLoss, SGD with momentum, torch.max(outputs, 1) for the predictions."""
    torch.manual_seed(1)
    nets = dict(zip(("torch", "ember"), _pair(cifar_tutorial_net)))
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((8, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, 8)
    results = {}
    for lib in (torch, ember):
        net = nets[lib.__name__]
        criterion = lib.nn.CrossEntropyLoss()
        optimizer = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        results[lib.__name__] = []
        for _ in range(4):
            optimizer.zero_grad()
            outputs = net(lib.tensor(x))
            loss = criterion(outputs, lib.tensor(y))
            loss.backward()
            optimizer.step()
            _, predicted = lib.max(outputs, 1)
            results[lib.__name__] += [loss.item(), (predicted == lib.tensor(y)).sum().item()]
    np.testing.assert_allclose(results["ember"], results["torch"], rtol=1e-4)


def test_dcgan_step_trains_as_torch():
    """One discriminator and one generator update of pytorch/examples dcgan: BCELoss on real and
    fake batches, Adam with betas (0.5, 0.999), detach() between the two players; training-mode
    batch norm in both networks."""
    torch.manual_seed(2)
    gen = dict(zip(("torch", "ember"), _pair(dcgan_generator)))
    disc = dict(zip(("torch", "ember"), _pair(dcgan_discriminator)))
    rng = np.random.default_rng(2)
    real, noise = rng.standard_normal((4, 3, 32, 32)).astype(np.float32), rng.standard_normal((4, 16, 1, 1))
    results = {}
    for lib in (torch, ember):
        netG, netD = gen[lib.__name__], disc[lib.__name__]
        criterion = lib.nn.BCELoss()
        optD = lib.optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
        optG = lib.optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
        label = lib.full((4,), 1.0, dtype=lib.float32)
        netD.zero_grad()
        errD_real = criterion(netD(lib.tensor(real)).view(-1), label)
        errD_real.backward()
        fake = netG(lib.tensor(noise, dtype=lib.float32))
        label.fill_(0.0)
        errD_fake = criterion(netD(fake.detach()).view(-1), label)
        errD_fake.backward()
        optD.step()
        netG.zero_grad()
        label.fill_(1.0)
        errG = criterion(netD(fake).view(-1), label)
        errG.backward()
        optG.step()
        results[lib.__name__] = [errD_real.item(), errD_fake.item(), errG.item(),
                                 float(netG(lib.tensor(noise, dtype=lib.float32)).sum())]
    np.testing.assert_allclose(results["ember"], results["torch"], rtol=1e-4, atol=1e-5)
