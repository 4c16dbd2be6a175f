"""Generate the attnviz demo corpus: short customer reviews labelled positive / negative / neutral.

Every sentence is composed here from templates and word lists written for this project; no third-party
text is used. The output is deterministic (``random.Random(0)``), so the packaged file can be checked
and rebuilt at any time:

    python scripts/make_demo_corpus.py                 # rewrites src/attnviz/demo/reviews.tsv
    python scripts/make_demo_corpus.py --output x.tsv  # writes elsewhere

Format: UTF-8, header ``text<TAB>label``, one review a line.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "src" / "attnviz" / "demo" / "reviews.tsv"

# Examples per class; the shares stay within 30-37 % each.
TARGETS = {"positive": 640, "negative": 620, "neutral": 600}
# Probability that a class draws one of its negated templates (~15 % of the corpus ends up negated,
# plus a few negated closers).
NEGATION_RATE = 0.165
CLOSER_RATE = 0.3
OPENER_RATE = 0.18
EMOJI_RATE = 0.014
SHOUT_RATE = 0.02
ACCENT_RATE = 0.2
MIN_WORDS, MAX_WORDS = 4, 25

# --------------------------------------------------------------------------------------------------
# Adjectives by aspect type: (positive, negative, neutral) cue words, plus mild complaints that a
# positive review may concede ("the start was a bit slow, but ...").
# --------------------------------------------------------------------------------------------------
TYPES: dict[str, dict[str, list[str]]] = {
    "food": {
        "p": ["delicious", "tasty", "excellent", "superb", "fantastic", "wonderful", "perfect", "amazing"],
        "n": ["awful", "terrible", "cold", "bland", "disgusting", "disappointing", "overcooked", "tasteless"],
        "u": ["okay", "fine", "decent", "average", "alright", "acceptable", "ordinary", "so-so", "passable"],
        "mild": ["a bit salty", "a little late", "a bit small"],
    },
    "drink": {
        "p": ["delicious", "excellent", "superb", "wonderful", "perfect", "lovely", "fantastic"],
        "n": ["awful", "terrible", "bitter", "watery", "disappointing", "disgusting"],
        "u": ["okay", "fine", "decent", "average", "alright", "ordinary", "so-so", "drinkable"],
        "mild": ["a bit weak", "slightly too sweet"],
    },
    "people": {
        "p": [
            "friendly",
            "lovely",
            "helpful",
            "wonderful",
            "welcoming",
            "brilliant",
            "excellent",
            "attentive",
        ],
        "n": ["rude", "unhelpful", "dismissive", "awful", "terrible", "unfriendly", "careless"],
        "u": ["okay", "fine", "polite enough", "decent", "alright", "average", "professional enough"],
        "mild": ["a bit rushed", "a little slow"],
    },
    "service": {
        "p": ["excellent", "fast", "superb", "fantastic", "brilliant", "great", "friendly"],
        "n": ["slow", "terrible", "awful", "useless", "disappointing", "appalling"],
        "u": ["okay", "fine", "average", "acceptable", "decent", "alright", "standard"],
        "mild": ["a bit slow", "a little slow"],
    },
    "place": {
        "p": ["spotless", "lovely", "beautiful", "wonderful", "excellent", "immaculate", "fantastic"],
        "n": ["dirty", "filthy", "awful", "disgusting", "smelly", "grim", "terrible"],
        "u": ["okay", "fine", "average", "basic", "ordinary", "acceptable", "standard", "decent"],
        "mild": ["a bit small", "a bit noisy", "a little dated"],
    },
    "ambience": {
        "p": ["lovely", "wonderful", "fantastic", "great", "relaxing", "charming", "beautiful"],
        "n": ["awful", "terrible", "depressing", "dreary", "dreadful"],
        "u": ["okay", "fine", "average", "ordinary", "alright", "so-so"],
        "mild": ["a bit loud", "a little quiet"],
    },
    "story": {
        "p": ["gripping", "brilliant", "superb", "wonderful", "moving", "excellent", "fantastic", "clever"],
        "n": ["boring", "dull", "awful", "terrible", "predictable", "disappointing", "naive"],
        "u": ["okay", "fine", "average", "decent", "alright", "ordinary", "so-so", "passable"],
        "mild": ["a bit slow", "slow to start"],
    },
    "performance": {
        "p": ["brilliant", "superb", "excellent", "wonderful", "fantastic", "outstanding"],
        "n": ["awful", "terrible", "wooden", "dreadful", "boring", "dull"],
        "u": ["okay", "fine", "decent", "average", "alright", "passable"],
        "mild": ["a bit uneven", "shaky at first"],
    },
    "visual": {
        "p": ["stunning", "beautiful", "brilliant", "superb", "gorgeous"],
        "n": ["awful", "cheap", "ugly", "terrible", "laughable"],
        "u": ["okay", "fine", "decent", "average", "alright", "passable"],
        "mild": ["a bit dated"],
    },
    "device": {
        "p": ["excellent", "brilliant", "superb", "fantastic", "great", "amazing", "outstanding"],
        "n": ["awful", "terrible", "useless", "faulty", "broken", "disappointing", "rubbish"],
        "u": ["okay", "fine", "average", "decent", "alright", "acceptable", "standard"],
        "mild": ["a bit fiddly", "a little heavy"],
    },
    "software": {
        "p": ["smooth", "intuitive", "brilliant", "excellent", "fantastic", "great"],
        "n": ["buggy", "slow", "broken", "awful", "terrible", "useless", "confusing", "frustrating"],
        "u": ["okay", "fine", "average", "decent", "alright", "acceptable", "basic", "standard"],
        "mild": ["a bit confusing at first", "a little slow"],
    },
    "value": {
        "p": ["excellent", "great", "fantastic", "unbeatable", "superb"],
        "n": ["outrageous", "ridiculous", "awful", "terrible"],
        "u": ["okay", "fair", "average", "standard", "reasonable"],
        "mild": ["a bit steep", "on the high side"],
    },
    "generic": {
        "p": ["great", "excellent", "fantastic", "wonderful", "brilliant", "perfect"],
        "n": ["awful", "terrible", "disappointing", "dreadful", "poor"],
        "u": ["okay", "fine", "average", "decent", "alright", "acceptable"],
        "mild": ["a bit slow", "a bit awkward"],
    },
}

# Whole-item adjectives ("this hotel was ...").
ITEM_P = ["great", "excellent", "fantastic", "wonderful", "superb", "brilliant", "amazing", "outstanding"]
ITEM_P += ["lovely", "fabulous", "good"]
ITEM_N = ["awful", "terrible", "disappointing", "dreadful", "horrible", "poor", "rubbish", "appalling"]
ITEM_U = ["okay", "average", "fine", "decent", "alright", "acceptable", "ordinary", "unremarkable"]
ITEM_U += ["so-so", "passable", "middling"]


def _aspects(spec: str) -> list[tuple[str, bool, str]]:
    """Parse 'noun:type; nouns*:type' (a trailing * marks a plural noun) into (noun, plural, type)."""
    out = []
    for part in spec.split(";"):
        noun, kind = part.strip().rsplit(":", 1)
        plural = noun.endswith("*")
        out.append((noun.rstrip("*"), plural, kind))
    return out


# Each domain: the things reviewed, how you talk about using them, and their aspects.
DOMAINS: dict[str, dict[str, Any]] = {
    "restaurant": {
        "items": [("restaurant", "restaurants"), ("place", "places"), ("bistro", "bistros")],
        "pp": ["eaten at", "been to"],
        "ving": ["eating at", "booking"],
        "again": ["come back", "eat here again", "book again"],
        "quit": ["we left before dessert", "we left halfway through the meal"],
        "use": ["a quick lunch", "a weekday dinner"],
        "extra_p": [],
        "extra_n": [],
        "aspects": _aspects(
            "pasta:food; steak:food; pizza:food; soup:food; curry:food; desserts*:food; fish:food;"
            "burger:food; food:food; starters*:food; wine:drink; cocktails*:drink; staff*:people;"
            "waiter:people; waitress:people; service:service; atmosphere:ambience; music:ambience;"
            "dining room:place; toilets*:place; prices*:value; portions*:generic; creme brulee:food;"
            "decor:ambience"
        ),
    },
    "cafe": {
        "items": [("cafe", "cafes"), ("coffee shop", "coffee shops"), ("place", "places")],
        "pp": ["been to", "visited"],
        "ving": ["going to", "visiting"],
        "again": ["come back", "go back", "pop in again"],
        "quit": ["we left without finishing our drinks", "we left after ten minutes"],
        "use": ["a quick coffee", "a catch-up with friends"],
        "extra_p": ["cosy"],
        "extra_n": [],
        "aspects": _aspects(
            "coffee:drink; tea:drink; hot chocolate:drink; cakes*:food; croissants*:food; sandwiches*:food;"
            "barista:people; staff*:people; atmosphere:ambience; music:ambience; seating:place;"
            "prices*:value; service:service; decor:ambience"
        ),
    },
    "hotel": {
        "items": [("hotel", "hotels"), ("place", "places"), ("guesthouse", "guesthouses")],
        "pp": ["stayed in", "stayed at"],
        "ving": ["staying at", "booking"],
        "again": ["stay here again", "come back", "book again"],
        "quit": ["we checked out early", "we moved hotels after one night"],
        "use": ["a night or two", "a short city break"],
        "extra_p": [],
        "extra_n": ["dirty"],
        "aspects": _aspects(
            "room:place; rooms*:place; bathroom:place; beds*:place; lobby:place; pool:place;"
            "breakfast:food; staff*:people; receptionist:people; check-in:service; view:ambience;"
            "location:generic; wifi:device; prices*:value; decor:ambience"
        ),
    },
    "film": {
        "items": [("film", "films"), ("movie", "movies")],
        "pp": ["seen", "watched"],
        "ving": ["watching", "renting"],
        "again": ["watch it again", "see it again"],
        "quit": ["we walked out halfway", "I switched it off after an hour"],
        "use": ["a quiet night in", "a lazy Sunday"],
        "extra_p": ["gripping", "moving"],
        "extra_n": ["boring", "dull"],
        "aspects": _aspects(
            "plot:story; ending:story; story:story; script:story; twist:story; dialogue:story;"
            "acting:performance; cast:performance; lead actor:performance; soundtrack:ambience;"
            "special effects*:visual; cinematography:visual"
        ),
    },
    "book": {
        "items": [("book", "books"), ("novel", "novels")],
        "pp": ["read"],
        "ving": ["reading", "buying"],
        "again": ["read it again", "pick it up again"],
        "quit": ["I gave up halfway", "I stopped after three chapters"],
        "use": ["a long train journey", "a beach holiday"],
        "extra_p": ["gripping", "moving"],
        "extra_n": ["boring", "dull"],
        "aspects": _aspects(
            "plot:story; ending:story; story:story; writing:story; prose:story; dialogue:story;"
            "characters*:performance; main character:performance; illustrations*:visual; cover:visual"
        ),
    },
    "gadget": {
        "items": [
            ("phone", "phones"),
            ("laptop", "laptops"),
            ("tablet", "tablets"),
            ("smartwatch", "smartwatches"),
            ("e-reader", "e-readers"),
        ],
        "pp": ["owned", "bought"],
        "ving": ["buying", "ordering"],
        "again": ["buy another one", "buy from this brand again"],
        "quit": ["I sent it back", "I returned it the same week"],
        "use": ["everyday use", "basic tasks"],
        "extra_p": [],
        "extra_n": ["useless"],
        "aspects": _aspects(
            "battery:device; screen:device; camera:device; case:device; charging cable:device;"
            "charger:device; buttons*:device; delivery:service; customer support:service;"
            "setup:software; price:value; packaging:generic"
        ),
    },
    "app": {
        "items": [("app", "apps")],
        "pp": ["used", "downloaded", "installed"],
        "ving": ["downloading", "paying for"],
        "again": ["use it again", "renew my subscription"],
        "quit": ["I deleted it", "I uninstalled it the same day"],
        "use": ["everyday use", "basic tasks"],
        "extra_p": ["intuitive"],
        "extra_n": ["buggy", "useless"],
        "aspects": _aspects(
            "interface:software; design:visual; latest update:software; notifications*:software;"
            "search:software; sync:software; customer support:service; subscription:value;"
            "layout:visual; login:software"
        ),
    },
    "shop": {
        "items": [("online shop", "online shops"), ("shop", "shops"), ("store", "stores")],
        "pp": ["ordered from", "bought from"],
        "ving": ["ordering from", "buying from"],
        "again": ["order from them again", "shop here again"],
        "quit": ["I cancelled my order", "I asked for a refund"],
        "use": ["small orders", "the odd gift"],
        "extra_p": [],
        "extra_n": [],
        "aspects": _aspects(
            "delivery:service; customer service:service; packaging:generic; prices*:value;"
            "website:software; checkout:software; returns process:service; staff*:people"
        ),
    },
    "museum": {
        "items": [("museum", "museums"), ("gallery", "galleries")],
        "pp": ["visited", "been to"],
        "ving": ["visiting", "going to"],
        "again": ["visit again", "go back"],
        "quit": ["we left after an hour", "we left after twenty minutes"],
        "use": ["a rainy afternoon", "a school trip"],
        "extra_p": ["fascinating"],
        "extra_n": ["boring"],
        "aspects": _aspects(
            "exhibits*:visual; collection:visual; guide:people; staff*:people; tour:generic;"
            "audio guide:device; ticket prices*:value; gift shop:generic; cafe:generic"
        ),
    },
}

# Spellings with accents, used now and then so the tokenizer sees non-ASCII words.
ACCENTS = {
    "cafe": "café",
    "cafes": "cafés",
    "decor": "décor",
    "creme brulee": "crème brûlée",
    "naive": "naïve",
}

SLOTS = {
    "ip": ["really", "absolutely", "truly", "genuinely", "incredibly", "so", "just"],
    "in": ["really", "absolutely", "truly", "genuinely", "utterly", "so", "just"],
    "iu": ["pretty", "fairly", "just", "more or less", "kind of", "quite"],
    "who": ["we", "I", "my partner", "my kids", "the whole family", "my friends", "my wife", "my husband"],
    "lov": ["loved", "adored", "really enjoyed", "thoroughly enjoyed", "absolutely loved"],
    "hate": ["hated", "really disliked", "truly hated"],
    "sp": ["5 stars", "Five stars", "10/10", "9/10", "5/5"],
    "sn": ["1 star", "One star", "2/10", "0/10", "1/5"],
    "su": ["3 stars", "Three stars", "5/10", "6/10", "3/5"],
    "money": ["money", "time", "time and money"],
}

OPENERS = {
    "any": ["Honestly,", "Overall,", "To be honest,", "Well,", "In short,", "All in all,", "So,"],
    "positive": ["Wow,", "Oh my,"],
    "negative": ["Sadly,", "Unfortunately,", "Ugh,"],
    "neutral": ["Hmm,", "Meh,", "Eh,"],
}

CLOSERS = {
    "positive": [
        "Would {again}.",
        "Will definitely {again}!",
        "Highly recommended.",
        "Can't wait to {again}!",
        "Five stars.",
        "Loved it!",
        "A real gem.",
        "Ten out of ten.",
        "I recommend it to everyone.",
        "Fantastic value too.",
        "Thank you!",
    ],
    "negative": [
        "Never again.",
        "Avoid.",
        "Avoid at all costs.",
        "Would not {again}.",
        "Stay away.",
        "Total waste of money.",
        "Very disappointing.",
        "Do not bother.",
        "Zero stars.",
        "What a letdown.",
        "Awful.",
    ],
    "neutral": [
        "It was fine.",
        "Nothing special.",
        "Might {again}, might not.",
        "It did the job.",
        "Fine for the price.",
        "Just average.",
        "Three stars.",
        "Mixed feelings overall.",
        "Nothing more, nothing less.",
        "It was okay.",
    ],
}

# --------------------------------------------------------------------------------------------------
# Templates. Slots: {item} "this hotel", {bare}/{bares} "hotel"/"hotels", {pp} "stayed in",
# {ving} "staying at", {again} "stay here again", {quit}, {use}; aspects {a1}/{a2} "the staff",
# {b1}/{b2} "staff", {be1}/{be2} "was"/"were", {wasnt1}; aspect adjectives {p1} {n1} {u1} {mild1};
# item adjectives {p} {p2} {n} {n2} {u} {u2}; plus the SLOTS above.
# A leading "^" means the template takes no opener.
# --------------------------------------------------------------------------------------------------
POSITIVE = [
    "{a1} {be1} {p1} and {a2} {be2} {p_2}.",
    "{item} was {ip} {p}.",
    "What a {ps} {bare}!",
    "{who} {lov} {item}.",
    "One of the best {bares} I have {pp}.",
    "The best {bare} I have {pp} in years.",
    "^{p1} {b1}, {p_2} {b2} and a {p} {bare} overall.",
    "I would highly recommend {item} to anyone.",
    "Highly recommend {item}, {a1} {be1} {p1}!",
    "{item} was {p} and exceeded all my expectations.",
    "{a1} {be1} {ip} {p1}.",
    "^{sp}! {a1} {be1} {p1} and {a2} {be2} {p_2}.",
    "Really {ps} {bare}, {a1} {be1} {p1}.",
    "Such a {p} {bare}. {who} {lov} it.",
    "^{a1}? {p1}. {a2}? {p_2}.",
    "Absolutely {ps}, {a1} {be1} {p1} and {a2} {be2} {p_2}.",
    "We had a {p} time and {a1} {be1} {p1}.",
    "{item} is {ip} {p}, I would {again} in a heartbeat.",
    "Worth every penny, {a1} {be1} {p1}.",
    "^{ps}! {a1} {be1} {p1} and I loved it.",
    "A {p} {bare}, and {a1} {be1} {p1} too.",
    "{item} made my day, {a1} {be1} {p1}.",
    "{a1} {be1} nothing short of {p1}.",
    "I was blown away, {a1} {be1} {ip} {p1}.",
    "Loved {item}, {a1} {be1} {p1} and {a2} {be2} {p_2}.",
    "{a1} {be1} {p1}, {a2} {be2} {p_2}, and I would {again} tomorrow.",
    "Best {bare} in town, {a1} {be1} {p1}!",
    "Such a {p} experience, I would recommend {item} to everyone.",
    "{who} {lov} {a1}, {it} {be1} {p1}.",
    "{item} is a real gem, {a1} {be1} {p1}.",
    'My friend said it was "{u}" but I thought {item} was {p}.',
    "Why did nobody tell me about {item} sooner? {a1} {be1} {p1}!",
]
POSITIVE_CONTRAST = [
    "{a1} {be1} {mild1}, but {a2} {be2} {p_2} and I loved it.",
    "{a1} {be1} {mild1}, but honestly {item} was {p} overall.",
    "Apart from {a1} being {mild1}, {item} was {p}.",
    "It got off to a slow start, but {item} turned out to be {p} and I loved it.",
]
POSITIVE_NEG = [
    "Not bad at all, {a1} {be1} {ip} {p1}.",
    "{a1} could not have been better.",
    "{item} couldn't have been better, {a1} {be1} {p1}.",
    "I have no complaints, {a1} {be1} {p1}.",
    "Not a single complaint, {item} was {p}.",
    "I don't think I have ever {pp} a better {bare}.",
    "Can't recommend {item} enough, {a1} {be1} {p1}!",
    "I wasn't expecting much, but {item} was {p}.",
    "No regrets at all, {item} was {p}.",
    "{item} was not bad at all, in fact {a1} {be1} {p1}.",
    "I couldn't fault {a1}, {it} {be1} {p1}.",
    "Never had a bad moment, {a1} {be1} {p1} and {a2} {be2} {p_2}.",
    "You won't regret {ving} {item}, it is {p}.",
    "I honestly can't fault {item}, {p} from start to finish.",
    "{a1} {wasnt1} {n1} at all, {it} {be1} {p1}.",
    "Not {n} in the slightest, {item} was {p}.",
    "I can't think of a single thing to complain about, {a1} {be1} {p1}.",
    "Never once disappointed, {a1} {be1} {p1} and {a2} {be2} {p_2}.",
]

NEGATIVE = [
    "{a1} {be1} {in} {n1} and {a2} {be2} {n_2}.",
    "Honestly the worst {bare} I have {pp}.",
    "The worst {bare} I have {pp} in years.",
    "{item} was {in} {n}.",
    "What a {n} {bare}.",
    "Avoid {item} at all costs, {a1} {be1} {n1}.",
    "{item} was a complete waste of {money}.",
    "^{n1} {b1}, {n_2} {b2} and a {n} {bare} overall.",
    "^{sn}. {a1} {be1} {n1} and {a2} {be2} {n_2}.",
    "^{a1}? {n1}. {a2}? {n_2}.",
    "I regret {ving} {item}, {a1} {be1} {n1}.",
    "{who} {hate} {item}.",
    "Such a {n} {bare}, {a1} {be1} {n1}.",
    "Very disappointed, {a1} {be1} {n1}.",
    "{a1} {be1} so {n1} that {quit}.",
    "Total disaster from start to finish, {a1} {be1} {n1}.",
    "{item} was {n} and {a1} {be1} even worse.",
    "Save your money, {item} is {n}.",
    "^Ugh. {a1} {be1} {in} {n1}.",
    "Sadly {item} was a big letdown, {a1} {be1} {n1}.",
    "Zero stars if I could, {a1} {be1} {n1}.",
    "{item} is overpriced and {n}.",
    "A {n} {bare}, and {a1} {be1} {n1} too.",
    "{a1} {be1} {n1}, {a2} {be2} {n_2}, and we regretted it.",
    "Worst {bare} ever, {a1} {be1} {in} {n1}.",
    "I was so disappointed, {a1} {be1} {n1}.",
    "{a1} {be1} {in} {n1}, what a waste of {money}.",
    "Stay away from {item}, {a1} {be1} {n1}.",
]
NEGATIVE_CONTRAST = [
    "{a1} {be1} {p1}, but {a2} {be2} {in} {n_2} and ruined it.",
    "I wanted to love {item}, but {a1} {be1} {n1}.",
    'Whoever called {item} "{p}" must be joking, {a1} {be1} {n1}.',
    "{p1} {b1}, shame about everything else, {a2} {be2} {n_2}.",
]
NEGATIVE_NEG = [
    "Not good, {a1} {be1} {n1}.",
    "{item} was not worth the money.",
    "{item} is not worth the hype, {a1} {be1} {n1}.",
    "I would not recommend {item} to anyone.",
    "Would not {again}, {a1} {be1} {n1}.",
    "{a1} {wasnt1} {p1} at all.",
    "{a1} {wasnt1} {p1} and {a2} {be2} {n_2}.",
    "Don't waste your money on {item}.",
    "Not impressed at all, {a1} {be1} {n1}.",
    "No one seemed to care and {a1} {be1} {n1}.",
    "I don't understand the good reviews, {item} was {n}.",
    "Never again, {a1} {be1} {in} {n1}.",
    "{item} was not good, {a1} {be1} {n1}.",
    "Do not bother with {item}, it is {n}.",
    "I will never {again}, {a1} {be1} {n1}.",
    "{a1} {wasnt1} {p1} and {a2} {wasnt2} {p_2} either.",
    "{item} was not {ps}, not even close.",
    "Definitely not {ps}, {who} {hate} it.",
    "Not {ps} at all, {a1} {be1} {n1}.",
]

NEUTRAL = [
    "{item} was {u}, nothing special but it did the job.",
    "{item} was {iu} {u}.",
    "{a1} {be1} {u1} and {a2} {be2} {u_2}.",
    "A {u} {bare}, nothing more, nothing less.",
    "^{u1} {b1}, {u_2} {b2}, an {u} {bare} overall.",
    "^{su}. {a1} {be1} {u1}.",
    "Pretty much as expected, {a1} {be1} {u1}.",
    "{item} was fine for the price.",
    "It was alright, {a1} {be1} {u1} and {a2} {be2} {u_2}.",
    "{item} was average in every way.",
    "Middle of the road {bare}, {a1} {be1} {u1}.",
    "{a1} {be1} {u1}, nothing to write home about.",
    "So-so overall, {a1} {be1} {u1}.",
    "{item} is {u} for {use}.",
    "Fair enough, {a1} {be1} {u1}.",
    "It's an {u} {bare}, {a1} {be1} {u1}.",
    "Reasonable {bare}, {a1} {be1} {u1} and {a2} {be2} {u_2}.",
    "Exactly what you would expect, {a1} {be1} {u1}.",
    "A very ordinary {bare}, {a1} {be1} {u1}.",
    "{item} was {u}, about what I expected.",
    "Decent enough for {use}, {a1} {be1} {u1}.",
    "An {u} {bare}, {a1} {be1} {u1} and that is about it.",
    "{a1} {be1} {u1}, as expected for a {bare} like this.",
    "Three stars feels about right, {item} was {u}.",
    "Standard {bare}, {a1} {be1} {u1}, nothing memorable.",
    "{item} did the job, {a1} {be1} {u1}.",
]
NEUTRAL_CONTRAST = [
    "{a1} {be1} {p1} but {a2} {be2} {n_2}, so overall it was {u}.",
    "Mixed bag, {a1} {be1} {p1} but {a2} {be2} {n_2}.",
    "Mixed feelings: {a1} {be1} {p1}, {a2} {be2} {n_2}.",
    "{a1} {be1} {p1}, {a2} {be2} {n_2}, so it evens out.",
    "Some good, some bad, {item} was {u} overall.",
    "A mixed experience, {a1} {be1} {p1} and {a2} {be2} {n_2}, so {u} overall.",
]
NEUTRAL_NEG = [
    "Not great, not terrible. {a1} {be1} {u1}.",
    "Neither good nor bad, {item} was {u}.",
    "{item} was neither {p} nor {n}, just {u}.",
    "{item} wasn't bad, wasn't great, just {u}.",
    "Not the best, not the worst, {a1} {be1} {u1}.",
    "Not amazing, but not awful either, {a1} {be1} {u1}.",
    "I wouldn't go out of my way, but {item} was {u}.",
    "No complaints, but no praise either, {item} was {u}.",
    "{a1} {be1} {u1}, not much else to say.",
    "Didn't love it, didn't hate it, {item} was {u}.",
    "{item} was {u}. I have no strong feelings either way.",
    "{item} was {u}, I might {again}, I might not.",
    'Not sure why everyone says "{p}", {item} was just {u}.',
    "Nothing wrong with {item}, but nothing {p} either.",
    "Not {ps}, not {n}, just {u}.",
    "{a1} {wasnt1} {p1}, but {it} {wasnt1} {n1} either.",
]

TEMPLATES = {
    "positive": (POSITIVE, POSITIVE_CONTRAST, POSITIVE_NEG),
    "negative": (NEGATIVE, NEGATIVE_CONTRAST, NEGATIVE_NEG),
    "neutral": (NEUTRAL, NEUTRAL_CONTRAST, NEUTRAL_NEG),
}
CONTRAST_RATE = 0.09

EMOJI = {"positive": ["😀", "👍", "😍"], "negative": ["😡", "👎", "😞"], "neutral": ["😐", "🤷"]}


def _accent(rng: random.Random, word: str) -> str:
    if word in ACCENTS and rng.random() < ACCENT_RATE:
        return ACCENTS[word]
    return word


def _slots(rng: random.Random) -> dict[str, str]:
    """Draw one consistent set of slot values for a single review."""
    name = rng.choice(sorted(DOMAINS))
    dom = DOMAINS[name]
    bare, bares = rng.choice(dom["items"])
    bare = _accent(rng, bare)
    bares = _accent(rng, bares)
    det = rng.choice(["this", "this", "the"])
    (n1, pl1, t1), (n2, pl2, t2) = rng.sample(dom["aspects"], 2)
    n1, n2 = _accent(rng, n1), _accent(rng, n2)
    ty1, ty2 = TYPES[t1], TYPES[t2]
    item_p = ITEM_P + dom["extra_p"]
    item_n = ITEM_N + dom["extra_n"]
    s = {
        "item": f"{det} {bare}",
        "bare": bare,
        "bares": bares,
        "pp": rng.choice(dom["pp"]),
        "ving": rng.choice(dom["ving"]),
        "again": rng.choice(dom["again"]),
        "quit": rng.choice(dom["quit"]),
        "use": rng.choice(dom["use"]),
        "it": "they" if pl1 else "it",
        "a1": f"the {n1}",
        "a2": f"the {n2}",
        "b1": n1,
        "b2": n2,
        "be1": "were" if pl1 else "was",
        "be2": "were" if pl2 else "was",
        "wasnt1": "weren't" if pl1 else "wasn't",
        "wasnt2": "weren't" if pl2 else "wasn't",
        "p1": rng.choice(ty1["p"]),
        "n1": _accent(rng, rng.choice(ty1["n"])),
        "u1": rng.choice(ty1["u"]),
        "mild1": rng.choice(ty1["mild"]),
        "p_2": rng.choice(ty2["p"]),
        "n_2": _accent(rng, rng.choice(ty2["n"])),
        "u_2": rng.choice(ty2["u"]),
        "p": rng.choice(item_p),
        "ps": rng.choice([a for a in item_p if a != "good"]),
        "n": rng.choice(item_n),
        "u": rng.choice(ITEM_U),
    }
    for key, values in SLOTS.items():
        s[key] = rng.choice(values)
    return s


def _tidy(text: str) -> str:
    """Fix articles, spacing and sentence capitals."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b([Aa])n (?=(?!hour)[^aeiou\W])", r"\1 ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b([Aa])n (?=use)", r"\1 ", text, flags=re.IGNORECASE)
    text = re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


def _bare_words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9'-]+", text.lower()))


def _review(rng: random.Random, label: str) -> str:
    plain, contrast, negated = TEMPLATES[label]
    r = rng.random()
    if r < NEGATION_RATE:
        template = rng.choice(negated)
    elif r < NEGATION_RATE + CONTRAST_RATE:
        template = rng.choice(contrast)
    else:
        template = rng.choice(plain)
    slots = _slots(rng)
    if rng.random() < SHOUT_RATE:
        cue = {"positive": "p", "negative": "n", "neutral": "u"}[label]
        slots[cue] = slots[cue].upper()
    no_opener = template.startswith("^")
    text = template.lstrip("^").format_map(slots)
    if not no_opener and rng.random() < OPENER_RATE:
        opener = rng.choice(OPENERS["any"] + OPENERS[label])
        if not re.match(r"I\b|I'", text):
            text = text[0].lower() + text[1:]
        text = f"{opener} {text}"
    if rng.random() < CLOSER_RATE:
        # A closer must not repeat what the review already says ("... again. Would ... again.").
        closers = [c.format_map(slots) for c in CLOSERS[label] if "{again}" not in c or "{again}" not in template]
        closers = [c for c in closers if _bare_words(c) not in _bare_words(text)]
        text = f"{text} {rng.choice(closers)}"
    if rng.random() < EMOJI_RATE:
        text = f"{text} {rng.choice(EMOJI[label])}"
    return _tidy(text)


def build(seed: int = 0) -> list[tuple[str, str]]:
    """Return the shuffled (text, label) rows."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not security
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for label, target in TARGETS.items():
        count = 0
        while count < target:
            text = _review(rng, label)
            key = text.lower()
            if key in seen or not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
                continue
            seen.add(key)
            rows.append((text, label))
            count += 1
    rng.shuffle(rows)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the TSV")
    args = parser.parse_args(argv)
    rows = build()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as f:
        f.write("text\tlabel\n")
        for text, label in rows:
            assert "\t" not in text and "\n" not in text
            f.write(f"{text}\t{label}\n")
    print(f"wrote {len(rows)} reviews to {args.output}")


if __name__ == "__main__":
    main()
