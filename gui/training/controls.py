"""The training-controls panel: run and step buttons, speed, and every hyper-parameter."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import limits
from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from gui.focus_chain import link
from gui.settings import SPEEDS, WATCHABLE, Session, format_hidden, parse_hidden

ACTIVATION_ITEMS = [
    (
        "sigmoid",
        "Sigmoid",
        "sigma(z) = 1 / (1 + e^-z): the video's neuron, squashing z into (0, 1).",
    ),
    ("tanh", "Tanh", "tanh(z): like the sigmoid but centred on zero, with outputs in (-1, 1)."),
    ("relu", "ReLU", "max(0, z): passes positive inputs through, silences negative ones."),
]
COST_ITEMS = [
    ("quadratic", "Quadratic", "C = 1/2 * sum (a - y)^2 with sigmoid outputs: the video's cost."),
    ("cross-entropy", "Cross-entropy", "C = -ln(a of the right digit) with softmax outputs."),
]
INIT_ITEMS = [
    ("normal", "N(0, 1)", "Every weight and bias drawn from a standard normal, as in the book."),
    ("scaled", "Scaled 1/sqrt(n)", "Weights shrunk by the number of inputs (He's for ReLU)."),
]
SPEED_LABELS = {
    0.0: "Full speed",
    100.0: "100 batches/s",
    20.0: "20 batches/s",
    5.0: "5 batches/s (slow motion)",
    1.0: "1 batch/s (slow motion)",
}


def _combo(items: list[tuple[str, str, str]], tip: str) -> QComboBox:
    """Return a combo box whose items carry their engine name as data and a tooltip each."""
    box = QComboBox()
    for value, label, item_tip in items:
        box.addItem(label, value)
        box.setItemData(box.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
    box.setToolTip(tip)
    return box


DATA_CHOICES = (  # (what the list shows, the source the worker loads, its tooltip)
    ("Sample (10k + 2k)", "sample", "A balanced sample of real MNIST digits, bundled."),
    ("Full MNIST (60k + 10k)", "full", "All of MNIST's digits, downloaded once (about 11 MB)."),
    ("Fashion (60k + 10k)", "fashion", "Fashion-MNIST: photos of clothes, about 30 MB once."),
    ("Kuzushiji (60k + 10k)", "kmnist", "Kuzushiji-MNIST: cursive hiragana, about 21 MB once."),
    ("Your images…", "folder", "A folder with one sub-folder of PNG or JPEG images per class."),
)  # a folder in use is added after these


class TrainingControls(QWidget):
    """Buttons for the run actions, the speed, and the network and learning settings."""

    network_edited = Signal(object, int)  # NetworkConfig, seed: the learner asked for a new network
    train_config_edited = Signal(object)  # TrainConfig: applies from the next mini-batch
    speed_edited = Signal(float)  # mini-batches per second, 0 for full speed
    goal_edited = Signal(int)  # epochs one Run trains before it pauses, 0 for until paused
    invalid_input = Signal(str)  # a message about a value that was not accepted
    data_chosen = Signal(str)  # "sample", "full", "fashion", "kmnist", "folder" (ask) or a path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = Session()
        layout = QVBoxLayout(self)
        self._run_box = QGroupBox("Train")
        self._run_grid = QGridLayout(self._run_box)
        layout.addWidget(self._run_box)
        self.blocked = QLabel()  # why Run and Step are off, while they are
        self.blocked.setObjectName("training_blocked")
        self.blocked.setWordWrap(True)
        self.blocked.hide()

        self.speed = QComboBox()
        for value in SPEEDS:
            self.speed.addItem(SPEED_LABELS[value], value)
        self.speed.setToolTip(
            "How fast training runs. Slow it down to watch single mini-batches change the "
            "network; full speed trains as fast as this computer can."
        )
        self.speed.activated.connect(lambda _: self.speed_edited.emit(self.speed.currentData()))
        self._watch_speed = WATCHABLE  # what unchecking Full speed returns to
        self.full_speed = QToolButton()
        self.full_speed.setText("Full speed")
        self.full_speed.setCheckable(True)
        self.full_speed.setToolTip(
            "Train as fast as this computer can (one click); click again to return to the "
            "watchable speed."
        )
        self.full_speed.clicked.connect(self._on_full_speed_clicked)
        self.goal = QSpinBox()
        self.goal.setRange(int(limits.GOAL_EPOCHS.low), int(limits.GOAL_EPOCHS.high))
        self.goal.setSuffix(" epochs")
        self.goal.setSpecialValueText("until paused")
        self.goal.setToolTip(
            "How long Run trains before it pauses by itself: until this many more epochs are "
            "complete (one already begun counts), each followed by a test. A few are enough to "
            "watch the cost fall; many more only overfit the sample. 0: until paused."
        )
        self.goal.valueChanged.connect(lambda value: self.goal_edited.emit(int(value)))

        self.data = QComboBox()
        for text, source, tip in DATA_CHOICES:
            self.data.addItem(text, source)
            self.data.setItemData(self.data.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.data.setToolTip(
            "What to learn from. The bundled sample of digits is ready at once; the full MNIST "
            "(about 11 MB), Fashion-MNIST's clothes (about 30 MB) and Kuzushiji-MNIST's cursive "
            "Japanese (about 21 MB) are downloaded once and then cached; or a folder of your own "
            "images, one sub-folder per class. Switching starts afresh."
        )
        self.data.activated.connect(lambda _: self.data_chosen.emit(self.data.currentData()))

        net_box = QGroupBox("Network (changing it starts afresh)")
        net_form = QFormLayout(net_box)
        self.hidden = QLineEdit()
        self.hidden.setValidator(
            QRegularExpressionValidator(r"^\s*\d{1,3}(\s*,\s*\d{1,3}){0,3}\s*$")
        )
        self.hidden.setToolTip(
            "Sizes of the hidden layers, separated by commas: 16,16 is the video's network. "
            "Between the 784 input pixels and the 10 output digits; 1 to 4 layers of up to 128."
        )
        self.activation = _combo(
            ACTIVATION_ITEMS, "The function each hidden neuron applies to its weighted input z."
        )
        self.cost = _combo(
            COST_ITEMS, "How the error of one example is measured; training minimises its average."
        )
        self.init = _combo(INIT_ITEMS, "How the weights are chosen at random before training.")
        self.seed = QSpinBox()
        self.seed.setRange(int(limits.SEED.low), int(limits.SEED.high))
        self.seed.setToolTip(
            "The random seed for the first weights and the shuffling of examples: the same seed "
            "replays exactly the same training run."
        )
        net_form.addRow("Hidden layers", self.hidden)
        net_form.addRow("Activation", self.activation)
        net_form.addRow("Cost", self.cost)
        net_form.addRow("Initial weights", self.init)
        net_form.addRow("Seed", self.seed)
        layout.addWidget(net_box)

        learn_box = QGroupBox("Learning (applies at the next mini-batch)")
        learn_form = QFormLayout(learn_box)
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setDecimals(limits.LEARNING_RATE.decimals)
        self.learning_rate.setRange(limits.LEARNING_RATE.low, limits.LEARNING_RATE.high)
        self.learning_rate.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.learning_rate.setToolTip(
            "eta: how far each step moves down the gradient. Too small and learning crawls; "
            "too large and the cost jumps around or blows up."
        )
        self.batch_size = QSpinBox()
        self.batch_size.setRange(int(limits.BATCH_SIZE.low), int(limits.BATCH_SIZE.high))
        self.batch_size.setToolTip(
            "How many examples are averaged for each step. Small batches give quick, noisy "
            "steps; large ones give slower, steadier steps."
        )
        self.momentum = QDoubleSpinBox()
        self.momentum.setDecimals(limits.MOMENTUM.decimals)
        self.momentum.setRange(limits.MOMENTUM.low, limits.MOMENTUM.high)
        self.momentum.setSingleStep(0.05)
        self.momentum.setToolTip(
            "Keeps part of the previous step in each new one, like a ball rolling downhill "
            "that gathers speed. 0 is plain gradient descent."
        )
        self.l2 = QDoubleSpinBox()
        self.l2.setDecimals(limits.L2.decimals)
        self.l2.setRange(limits.L2.low, limits.L2.high)
        self.l2.setSingleStep(0.1)
        self.l2.setToolTip(
            "L2 regularisation lambda: shrinks every weight a little at each step, which "
            "keeps them small and helps the network generalise. 0 turns it off."
        )
        learn_form.addRow("Learning rate", self.learning_rate)
        learn_form.addRow("Mini-batch size", self.batch_size)
        learn_form.addRow("Momentum", self.momentum)
        learn_form.addRow("L2 regularisation", self.l2)
        layout.addWidget(learn_box)
        layout.addStretch(1)

        self.hidden.editingFinished.connect(self._emit_network)
        for box in (self.activation, self.cost, self.init):
            box.activated.connect(self._emit_network)
        self.seed.editingFinished.connect(self._emit_network)
        for spin in (self.learning_rate, self.batch_size, self.momentum, self.l2):
            spin.valueChanged.connect(self._emit_train)

    def add_actions(self, actions: list[QAction]) -> None:
        """Show the run actions as buttons, two per row, followed by the speed selector."""
        for i, action in enumerate(actions):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(
                button.sizePolicy().horizontalPolicy().Expanding,
                button.sizePolicy().verticalPolicy(),
            )
            self._run_grid.addWidget(button, i // 2, i % 2)
        row = (len(actions) + 1) // 2
        self._run_grid.addWidget(self.blocked, row, 0, 1, 2)
        row += 1
        self._run_grid.addWidget(QLabel("Run for"), row, 0)
        self._run_grid.addWidget(self.goal, row, 1)
        self._run_grid.addWidget(QLabel("Speed"), row + 1, 0)
        self._run_grid.addWidget(self.speed, row + 1, 1)
        self._run_grid.addWidget(self.full_speed, row + 2, 1)
        self._run_grid.addWidget(QLabel("Data"), row + 3, 0)
        self._run_grid.addWidget(self.data, row + 3, 1)
        # The Train box is on top: Tab goes through it first, top to bottom, then the network's
        # fields (the buttons are made after those, and Qt's order would put them last).
        chain = [self._run_grid.itemAtPosition(i // 2, i % 2).widget() for i in range(len(actions))]
        chain += [self.goal, self.speed, self.full_speed, self.data, self.hidden]
        chain += [self.activation, self.cost, self.init, self.seed]  # and on down the boxes
        chain += [self.learning_rate, self.batch_size, self.momentum, self.l2]
        self.tab_order = tuple(link(chain))  # for the window's order of its panels

    def show_blocked(self, reason: str) -> None:
        """Say under the run buttons why training cannot run ('' when it can)."""
        self.blocked.setText(reason)
        self.blocked.setVisible(bool(reason))

    def show_speed(self, value: float) -> None:
        """Show ``value`` mini-batches per second as chosen, without emitting."""
        self.speed.setCurrentIndex(self.speed.findData(value))
        self.full_speed.setChecked(value == 0)
        if value > 0:
            self._watch_speed = value

    def _on_full_speed_clicked(self, checked: bool) -> None:
        """Full speed, or back to the last watchable speed."""
        self.speed_edited.emit(0.0 if checked else self._watch_speed)

    def set_session(self, session: Session) -> None:
        """Show the given settings without emitting any edit signal."""
        self._session = session
        widgets = (
            self.hidden,
            self.activation,
            self.cost,
            self.init,
            self.seed,
            self.learning_rate,
            self.batch_size,
            self.momentum,
            self.l2,
            self.speed,
            self.goal,
        )
        for w in widgets:
            w.blockSignals(True)
        self.hidden.setText(format_hidden(session.network.sizes))
        self.activation.setCurrentIndex(self.activation.findData(session.network.activation))
        self.cost.setCurrentIndex(self.cost.findData(session.network.cost))
        self.init.setCurrentIndex(self.init.findData(session.network.init))
        self.seed.setValue(session.seed)
        self.learning_rate.setValue(session.train.learning_rate)
        self.batch_size.setValue(session.train.batch_size)
        self.momentum.setValue(session.train.momentum)
        self.l2.setValue(session.train.l2)
        self.show_speed(session.speed)
        self.goal.setValue(session.goal_epochs)
        for w in widgets:
            w.blockSignals(False)

    def remember(self, session: Session) -> None:
        """Take ``session`` as the one in use (what an invalid edit restores), widgets untouched."""
        self._session = session

    def set_data_source(self, source: str) -> None:
        """Show the dataset in use; a folder (or the bundled handful) gets its own entry."""
        index = self.data.findData(source)
        if index < 0:
            while self.data.count() > len(DATA_CHOICES):
                self.data.removeItem(len(DATA_CHOICES))
            text = "Fashion handful (10)" if source == "fashion-handful" else None
            self.data.addItem(text or f"Folder: {Path(source).name}", source)
            self.data.setItemData(self.data.count() - 1, source, Qt.ItemDataRole.ToolTipRole)
            index = self.data.count() - 1
        self.data.setCurrentIndex(index)

    def network_config(self) -> NetworkConfig:
        """Return the network the controls describe (ValueError if the layers are invalid)."""
        return NetworkConfig(
            (784, *parse_hidden(self.hidden.text()), 10),
            self.activation.currentData(),
            self.cost.currentData(),
            self.init.currentData(),
        )

    def train_config(self) -> TrainConfig:
        """Return the hyper-parameters the controls describe."""
        return TrainConfig(
            self.learning_rate.value(),
            self.batch_size.value(),
            self.momentum.value(),
            self.l2.value(),
        )

    def _emit_network(self) -> None:
        """Announce a requested network change, or restore the fields if it is invalid."""
        try:
            config = self.network_config()
        except ValueError as exc:
            self.invalid_input.emit(f"Hidden layers: {exc}")
            self.set_session(self._session)
            return
        if config != self._session.network or self.seed.value() != self._session.seed:
            self.network_edited.emit(config, self.seed.value())

    def _emit_train(self) -> None:
        """Announce new hyper-parameters."""
        self.train_config_edited.emit(self.train_config())
