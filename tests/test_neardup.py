"""Exact and near-duplicate keys (newscrawl.text.neardup) on realistic news stories."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.text import neardup
from newscrawl.text.neardup import (
    EMPTY_SIGNATURE,
    SIGNATURE_SIZE,
    NearDuplicateIndex,
    estimate_similarity,
    fingerprint,
    keys,
    paragraph_keys,
    same_story,
    signature,
)

# One agency's report of an earthquake (~430 words).
QUAKE_A = """\
MARRAKESH, Morocco (Maghreb Wire) - A powerful earthquake struck Morocco's High Atlas \
mountains late on Friday, killing at least 632 people and injuring 329 others, the \
Interior Ministry said on Saturday, as rescuers dug through the rubble of mud-brick \
villages cut off by landslides.

The magnitude 6.8 quake hit at 11:11 p.m. local time at a depth of 18.5 km, with its \
epicentre about 72 km southwest of Marrakesh near the town of Ighil, according to the \
U.S. Geological Survey. It was the strongest to hit the North African country in more \
than a century.

Most of the deaths were in the province of Al Haouz and in Taroudant, where whole \
hamlets clinging to the mountainsides were flattened. "We felt the ground move under \
our feet, then the walls came down," said Abdellah Ait Lahcen, 54, who lost his wife \
and two sons in the village of Tafeghaghte.

In Marrakesh, a UNESCO World Heritage site, parts of the old city walls cracked and the \
minaret of a mosque on Jemaa el-Fna square partly collapsed. Thousands of residents \
spent the night in the streets, afraid to go back into their homes as aftershocks \
rattled the city.

The army said it had deployed helicopters, field hospitals and search-and-rescue teams \
to the worst-hit areas, but roads into the mountains were blocked by fallen rocks, and \
many villages could only be reached on foot or by mule.

"The priority now is to reach the survivors under the rubble," a ministry spokesman \
told state television, adding that the death toll was expected to rise.

Hospitals in Marrakesh appealed for blood donations, and long queues formed outside \
transfusion centres on Saturday morning. The Red Crescent said it had sent tents, \
blankets and food parcels to Al Haouz.

Spain, France, Turkey and the United Arab Emirates offered to send rescue teams, and \
Algeria said it would open its airspace to humanitarian flights despite a dispute that \
led it to cut diplomatic ties with Rabat in 2021.

The High Atlas region, home to Amazigh communities living in traditional houses of \
stone, timber and clay, is poorly prepared for earthquakes, experts said. The last \
major quake in Morocco, in Al Hoceima in 2004, killed more than 600 people.

Tourism officials said no foreign visitors were among the dead, though several were \
treated for minor injuries in Marrakesh."""

# The same story as republished by another site: dateline dropped, the toll updated,
# a few words changed, one sentence added and one removed, two paragraphs swapped,
# typographic quotes, different spacing and paragraph breaks.
QUAKE_A_REEDITED = """\
A powerful earthquake struck Morocco’s High Atlas mountains late on Friday, \
killing at least 820 people and injuring 672 others, the Interior Ministry said on \
Saturday, as rescuers dug through the rubble of mud-brick villages cut off by landslides.

The magnitude 6.8 quake hit at 11:11 p.m. local time at a depth of 18.5 km,  with its \
epicentre about 72 km southwest of Marrakesh near the town of Ighil, according to the \
U.S. Geological Survey. It was the strongest to hit the North African country in more \
than a century.
Most of the deaths were in the province of Al Haouz and in Taroudant, where entire \
hamlets clinging to the mountainsides were flattened. “We felt the ground move under \
our feet, then the walls came down,” said Abdellah Ait Lahcen, 54, who lost his wife \
and two sons in the village of Tafeghaghte.

In Marrakesh, a UNESCO World Heritage site, parts of the old city walls cracked and the \
minaret of a mosque on Jemaa el-Fna square partly collapsed. Thousands of residents \
spent the night outdoors, afraid to go back into their homes as aftershocks rattled \
the city.

“The priority now is to reach the survivors under the rubble,” a ministry spokesman \
told state television, adding that the death toll was expected to rise.

The army said it had deployed helicopters, field hospitals and search-and-rescue teams \
to the worst-hit areas, but roads into the mountains were blocked by fallen rocks, and \
many villages could only be reached on foot or by mule.

King Mohammed VI declared three days of national mourning.

Hospitals in Marrakesh appealed for blood donations, and long queues formed outside \
transfusion centres on Saturday morning. The Red Crescent said it had sent tents, \
blankets and food parcels to Al Haouz.

Spain, France, Turkey and the United Arab Emirates offered to send rescue teams, and \
Algeria said it would open its airspace to humanitarian flights despite a dispute that \
led it to cut diplomatic ties with Rabat in 2021.

The High Atlas region, home to Amazigh communities living in traditional houses of \
stone, timber and clay, is poorly prepared for earthquakes, experts said. The last \
major quake in Morocco, in Al Hoceima in 2004, killed more than 600 people."""

# Another agency's report of the same earthquake: the same names, places, figures and
# topic words, its own wording.
QUAKE_B = """\
RABAT (Atlas Press) - Rescue workers in Morocco were racing on Saturday to pull \
survivors from collapsed buildings after the country's deadliest earthquake in decades \
killed more than 600 people, most of them in remote villages of the High Atlas.

The Interior Ministry put the toll at 632 dead and 329 injured, 51 of them critically, \
and warned that it could climb as teams reached isolated communities. The U.S. \
Geological Survey measured the tremor at magnitude 6.8 and located it near Ighil, some \
70 km from Marrakesh, at a shallow depth.

The province of Al Haouz, south of Marrakesh, bore the brunt of the disaster, with \
further deaths reported in Taroudant, Chichaoua and Ouarzazate. Television footage \
showed villages of clay and stone houses reduced to heaps of dust, and families \
sleeping in the open beside the road.

In the Marrakesh medina, the quake brought down part of a minaret overlooking Jemaa \
el-Fna square and opened cracks in the ramparts that encircle the old city. Many \
residents said they dared not return indoors after several aftershocks overnight.

Soldiers, police and civil protection units were sent into the mountains with heavy \
equipment, but landslides had cut the main routes, slowing the relief effort. Some \
villages had not yet been reached by Saturday afternoon, local officials said.

"Everyone is searching for relatives; we have no electricity and no water," a teacher \
in Amizmiz told the agency by telephone.

Blood banks in Marrakesh and Casablanca reported a surge of volunteers after health \
authorities called for donations. The Moroccan Red Crescent deployed its teams and \
distributed tents and blankets in Al Haouz.

Messages of condolence poured in from around the world. Spain and France said they \
stood ready to help, Turkey and the United Arab Emirates offered rescuers, and Algeria, \
which severed relations with Rabat in 2021, said it would allow relief flights through \
its airspace.

Seismologists said the region's traditional buildings were especially vulnerable. The \
previous deadliest quake, which struck Al Hoceima in 2004, left more than 600 dead."""

# An Arabic report of floods (~330 words).
FLOOD_A = """\
طرابلس (وكالة المغرب العربي) - قالت السلطات في شرق ليبيا، اليوم الثلاثاء، إن عدد \
ضحايا الفيضانات التي اجتاحت مدينة درنة تجاوز ألفي قتيل، فيما لا يزال آلاف الأشخاص في \
عداد المفقودين، بعد أن تسببت العاصفة دانيال في انهيار سدين على الوادي الذي يشق المدينة.

وأوضح المتحدث باسم الجيش في بنغازي، في مؤتمر صحفي، أن السيول جرفت أحياء كاملة إلى \
البحر، وأن فرق الإنقاذ تواجه صعوبات كبيرة في الوصول إلى المناطق المنكوبة بسبب انهيار \
الجسور وانقطاع الطرق والاتصالات.

وقال أحد سكان درنة، ويدعى محمد عبد الكريم، إنه استيقظ على صوت انفجار قوي قبل أن تغمر \
المياه الشارع خلال دقائق، مضيفا: «صعدنا إلى سطح المنزل وشاهدنا السيارات والبيوت \
تجرفها المياه نحو البحر».

وأعلنت الحكومة المكلفة من البرلمان الحداد العام لمدة ثلاثة أيام، وطلبت مساعدة دولية \
عاجلة، بينما أرسلت حكومة الوحدة الوطنية في طرابلس طائرة محملة بالمساعدات الطبية \
وفرق الإنقاذ.

وذكرت منظمة الهلال الأحمر الليبي أن متطوعيها يعملون على انتشال الجثث من تحت الأنقاض \
ومن البحر، مشيرة إلى أن ثلاثة من متطوعيها لقوا حتفهم أثناء محاولتهم إنقاذ عائلات \
عالقة.

وأكدت الأمم المتحدة أنها ستخصص مبلغا من صندوق الطوارئ لدعم المتضررين، فيما أعلنت مصر \
وتونس والجزائر وتركيا والإمارات إرسال فرق إغاثة ومستشفيات ميدانية إلى المنطقة.

ويقول خبراء إن السدين لم يخضعا للصيانة منذ سنوات طويلة، رغم تحذيرات سابقة من \
خطورة وضعهما، وإن سنوات الصراع والانقسام السياسي في ليبيا أضعفت البنية التحتية في \
البلاد.

وكانت العاصفة دانيال قد ضربت اليونان وتركيا وبلغاريا الأسبوع الماضي قبل أن تتجه إلى \
الساحل الليبي، حيث هطلت كميات قياسية من الأمطار خلال ساعات قليلة."""

# The same Arabic story re-edited: the toll updated, a few words changed, diacritics
# and a tatweel added, hamza spelled differently, a sentence removed, one added, the
# last two paragraphs swapped, different spacing.
FLOOD_A_REEDITED = """\
قالت السلطات في شرق ليبيا، اليوم الثلاثاء، ان عدد ضحايا الفيضانات التي اجتاحت مدينة \
درنة تجاوز ثلاثة آلاف قتيل، فيما لا يزال آلاف الأشخاص في عداد المفقودين، بعد أن \
تسببت العاصفة دانيال في انهيار سدَّين على الوادي الذي يشق المدينة.

وأوضح المتحدث باسم الجيش في بنغازي، في مؤتمر صحافي، أن السيول جرفت أحياءً كاملة إلى \
البحر، وأن فرق الإنقاذ تواجه صعوبات كبيرة في الوصول الى المناطق المنكوبة بسبب انهيار \
الجسور وانقطاع الطرق  والاتصالات.

وقال أحد سكان درنة، ويدعى محمد عبد الكريم، إنه استيقظ على صوت انفجار قوي قبل أن تغمر \
المياه الشارع خلال دقائق، مضيفا: "صعدنا إلى سطح المنزل وشاهدنا السيارات والبيوت \
تجرفها المياه نحو البحر".

وأعلنت الحكومة المكلفة من البرلمان الحداد العام لمدة ثلاثة أيام، وطلبت مساعدة دولية \
عاجلة.

وذكرت منظمة الهلال الأحمر الليبي أن متطوعيها يعملون على انتشال الجثث من تحت الأنقاض \
ومن البحر، مشيرة إلى أن ثلاثة من متطوعيها لقوا حتفهم أثناء محاولتهم إنقاذ عائلات \
عالقة.
وأكدت الأمم المتحدة أنها ستخصص مبلغا من صندوق الطوارئ لدعم المتضررين، فيما أعلنت مصر \
وتونس والجزائر وتركيا والإمارات إرسال فرق إغاثة ومستشفيات ميدانية إلى المنطقة. \
كما وصلت إلى بنغازي طائرة مساعدات ايطالية.

وكانت العاصفة دانيال قد ضربت اليونان وتركيا وبلغاريا الأسبوع الماضي قبل أن تتجه إلى \
الساحل الليبي، حيث هطلت كميات قياسية من الأمطار خلال ساعات قليلة.

ويقول خبـراء إن السدين لم يخضعا للصيانة منذ سنوات طويلة، رغم تحذيرات سابقة من \
خطورة وضعهما، وإن سنوات الصراع والانقسام السياسي في ليبيا أضعفت البنية التحتية في \
البلاد."""

# Another agency's Arabic report of the same floods: the same places, names and topic
# words, its own wording.
FLOOD_B = """\
بنغازي (الأنباء العربية) - تتواصل عمليات البحث عن آلاف المفقودين في مدينة درنة شرقي \
ليبيا، بعد أن أدت السيول الناجمة عن العاصفة دانيال إلى انهيار سدين ومقتل أكثر من ألفي \
شخص، بحسب أحدث حصيلة أعلنها مسؤولون محليون.

وأفاد شهود عيان بأن موجة هائلة من المياه اندفعت في منتصف الليل عبر الوادي الذي يقسم \
المدينة إلى شطرين، فدمرت عشرات المباني السكنية وجرفت سكانها نحو البحر.

وتعذر على سيارات الإسعاف دخول بعض الأحياء بعدما انهارت الجسور التي تربط ضفتي الوادي، \
كما انقطعت الكهرباء وشبكات الهاتف عن معظم أنحاء درنة، ما صعّب التواصل مع الناجين.

وأعلنت السلطات في بنغازي الحداد ثلاثة أيام، ووجهت نداء إلى المجتمع الدولي لتقديم \
العون، في حين بعثت الحكومة في طرابلس، المنافسة لها، شحنات من الأدوية وفرقا طبية.

وقال مسؤول في الهلال الأحمر الليبي إن فرق المتطوعين تنتشل الجثث من الشوارع ومن الشاطئ، \
وإن عددا من المسعفين فقدوا حياتهم خلال عمليات الإغاثة.

ودعت الأمم المتحدة إلى تقديم دعم عاجل للمنكوبين، ووصلت إلى مطار بنينا طائرات تحمل \
مساعدات من مصر وتركيا والإمارات، بينما أعلنت تونس والجزائر استعدادهما لإرسال فرق \
إنقاذ.

ويرى مهندسون أن إهمال صيانة السدين على مدى عقود، إلى جانب الانقسام السياسي الذي تعيشه \
ليبيا منذ سنوات، ضاعف من حجم الكارثة.

وقبل وصولها إلى ليبيا، تسببت العاصفة دانيال في فيضانات مدمرة في اليونان وتركيا \
وبلغاريا."""


def reference_fingerprint(body: str) -> bytes:
    normal = " ".join(body.split()).casefold()
    return hashlib.blake2b(normal.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# -- exact key ----------------------------------------------------------------------


def test_fingerprint_is_16_bytes_of_collapsed_casefolded_blake2b() -> None:
    assert len(fingerprint(QUAKE_A)) == 16
    for body in (QUAKE_A, FLOOD_A, "", "a\ud800b  c", "ΣΊΣΥΦΟΣ ﬁnal"):
        assert fingerprint(body) == reference_fingerprint(body)


def test_fingerprint_collides_for_whitespace_and_case_changes_only() -> None:
    respaced = "  " + QUAKE_A.upper().replace("\n\n", "\r\n \t").replace(" ", "  ") + "\n"
    assert fingerprint(respaced) == fingerprint(QUAKE_A)
    nbsp = FLOOD_A.replace(" ", "\u00a0", 5).replace("\n\n", "\n")
    assert fingerprint(nbsp) == fingerprint(FLOOD_A)
    assert fingerprint("STRASSE und Straße") == fingerprint("strasse UND STRASSE")


def test_fingerprint_differs_for_any_other_change() -> None:
    assert fingerprint(QUAKE_A) != fingerprint(QUAKE_A.replace("632", "633"))
    assert fingerprint(QUAKE_A) != fingerprint(QUAKE_A + ".")
    assert fingerprint(QUAKE_A) != fingerprint(QUAKE_A_REEDITED)
    assert fingerprint("a b") != fingerprint("ab")


text_strategy = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(" \n\t\u00a0ßİﬁΣ"),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(text_strategy, max_size=6))
def test_fingerprint_equals_its_definition(bodies: list[str]) -> None:
    assert [fingerprint(body) for body in bodies] == [reference_fingerprint(b) for b in bodies]
    assert [keys(body) for body in bodies] == [(fingerprint(b), signature(b)) for b in bodies]


# -- near-duplicate signature and index ------------------------------------------------


def test_signatures_are_stable() -> None:
    # Stored signatures must stay comparable: a change here needs the stores rebuilt.
    assert signature("The quick brown fox jumps over the lazy dog.").hex()[:32] == (
        "875f50c11923f14abaac830e4c7015d2"
    )
    assert signature("قال المتحدث إن الأمم المتحدة سترسل مساعدات إلى المدينة").hex()[:32] == (
        "85604ec2ab0f74713dd30635cf9698f8"
    )


def test_signature_shape() -> None:
    sig = signature(QUAKE_A)
    assert isinstance(sig, bytes) and len(sig) == SIGNATURE_SIZE
    assert sig == signature(QUAKE_A) == keys(QUAKE_A)[1]
    assert estimate_similarity(sig, sig) == 1.0


@pytest.mark.parametrize(
    ("original", "copy"), [(QUAKE_A, QUAKE_A_REEDITED), (FLOOD_A, FLOOD_A_REEDITED)]
)
def test_reedited_copy_is_caught(original: str, copy: str) -> None:
    index = NearDuplicateIndex()
    assert index.add_or_query(1, signature(original)) is None
    assert estimate_similarity(signature(original), signature(copy)) >= 0.6
    assert index.add_or_query(2, signature(copy)) == 1
    assert index.query(signature(copy)) == 1
    assert len(index) == 1  # the copy was not added


@pytest.mark.parametrize(("first", "second"), [(QUAKE_A, QUAKE_B), (FLOOD_A, FLOOD_B)])
def test_two_reports_of_the_same_event_are_not_duplicates(first: str, second: str) -> None:
    index = NearDuplicateIndex()
    assert index.add_or_query(1, signature(first)) is None
    assert estimate_similarity(signature(first), signature(second)) < 0.15
    assert index.add_or_query(2, signature(second)) is None
    assert len(index) == 2


def test_ascii_and_unicode_paths_agree() -> None:
    # A zero-width joiner is ignored inside a word, a no-break space is whitespace: the
    # same keys, though the body no longer takes the ASCII-only path.
    joined = QUAKE_A.replace("earthquake", "earth\u200dquake")
    assert signature(joined) == signature(QUAKE_A)
    spaced = QUAKE_A.replace(" ", "\u00a0", 20)
    assert keys(spaced) == keys(QUAKE_A)


def test_arabic_normalisation() -> None:
    plain = "قال المتحدث ان الامم المتحدة سترسل مساعدات الى المدينة"
    marked = "قال المتحدِّث إن الأمـم المتحدة سترسل مساعداتٍ إلى المدينة"
    assert signature(plain) == signature(marked)
    assert signature("عام ٢٠٢٣ في درنة") == signature("عام 2023 في درنة")
    assert signature(plain) != signature(plain.replace("المدينة", "القرية"))


def test_short_and_empty_bodies() -> None:
    assert signature("") == EMPTY_SIGNATURE
    assert signature(" ... -- !! ") == EMPTY_SIGNATURE
    assert keys("") == (reference_fingerprint(""), EMPTY_SIGNATURE)
    index = NearDuplicateIndex()
    assert index.add_or_query(1, EMPTY_SIGNATURE) is None
    assert index.add_or_query(2, EMPTY_SIGNATURE) is None  # empty matches nothing
    assert index.query(EMPTY_SIGNATURE) is None
    assert estimate_similarity(EMPTY_SIGNATURE, EMPTY_SIGNATURE) == 0.0
    for body in ("Yes", "Yes.", "Two words", "Three short words", "x"):
        sig = signature(body)
        assert sig != EMPTY_SIGNATURE and len(sig) == SIGNATURE_SIZE
        assert index.add_or_query(10, sig) is None
        assert index.query(sig) == 10
        index = NearDuplicateIndex()
    assert signature("Three short words") != signature("Three short birds")


def test_index_items_round_trip() -> None:
    index = NearDuplicateIndex(threshold=0.6)
    bodies = [QUAKE_A, QUAKE_B, FLOOD_A, FLOOD_B, "", "A short one."]
    for key, body in enumerate(bodies, 100):
        index.add(key, signature(body))
    index.add(200, signature(QUAKE_A_REEDITED))  # add() keeps near duplicates too
    pairs = list(index.items())
    assert [key for key, _ in pairs] == [100, 101, 102, 103, 104, 105, 200]
    assert all(isinstance(sig, bytes) and len(sig) == SIGNATURE_SIZE for _, sig in pairs)
    rebuilt = NearDuplicateIndex.from_items(pairs, threshold=0.6)
    assert len(rebuilt) == len(index) and list(rebuilt.items()) == pairs
    for body in [*bodies, QUAKE_A_REEDITED, FLOOD_A_REEDITED, "Something else entirely."]:
        assert rebuilt.query(signature(body)) == index.query(signature(body))
    assert rebuilt.query(signature(FLOOD_A_REEDITED)) == 102
    assert rebuilt.query(signature(QUAKE_A_REEDITED)) == 100  # the first added


def test_thresholds_are_configurable() -> None:
    original, copy = signature(QUAKE_A), signature(QUAKE_A_REEDITED)
    similarity = estimate_similarity(original, copy)
    strict = NearDuplicateIndex(threshold=min(1.0, similarity + 0.05))
    strict.add(1, original)
    assert strict.query(copy) is None
    loose = NearDuplicateIndex(threshold=0.3, bands=18)
    loose.add(1, original)
    assert loose.query(copy) == 1
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0)
    with pytest.raises(ValueError):
        NearDuplicateIndex(bands=0)
    with pytest.raises(ValueError):
        strict.add(2, b"short")


def corpus(seed: int, count: int) -> list[str]:
    """Random bodies, with copies and re-edits of earlier ones among them."""
    rng = random.Random(seed)
    words = (QUAKE_A + " " + QUAKE_B).split()
    bodies: list[str] = []
    for _ in range(count):
        if bodies and rng.random() < 0.3:
            source = rng.choice(bodies).split() or ["empty"]
            for _ in range(rng.randint(0, 3)):
                source[rng.randrange(len(source))] = rng.choice(words)
            bodies.append(" ".join(source))
        else:
            bodies.append(" ".join(rng.choices(words, k=rng.randint(0, 120))))
    return bodies


def test_table_layout_wraps_round() -> None:
    empty = 0xFFFFFFFF
    table = np.full(8, empty, dtype=np.uint32)
    homes = np.array([1, 6, 6, 7, 7], dtype=np.intp)  # sorted, as _rebuild gives them
    neardup._layout(table, homes, np.arange(5, dtype=np.uint32))
    # Rows 3 and 4 (home 7) run past the end: they wrap round to slots 0 and 1 and
    # push row 0 (home 1) on to slot 2; each row is at or after its home, with no
    # empty slot in between.
    assert table.tolist() == [3, 4, 0, empty, empty, empty, 1, 2]


def test_index_grows_and_keeps_answering() -> None:
    index = NearDuplicateIndex()
    bodies = corpus(99, 3000)
    sigs = [signature(body) for body in bodies]
    for key, sig in enumerate(sigs):
        index.add(key, sig)
    assert len(index) == 3000
    for key, sig in enumerate(sigs):
        found = index.query(sig)
        if sig == EMPTY_SIGNATURE:
            assert found is None
        else:
            assert found is not None and found <= key
            assert estimate_similarity(sigs[found], sig) >= index.threshold


def shared_signature(body: str, known_bodies: list[str]) -> bytes:
    """Signature of the paragraphs of ``body`` that ``known_bodies`` already had (as the
    pipeline computes it from the state store's paragraph keys)."""
    known = {k for other in known_bodies for k in paragraph_keys(other)}
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    kept = [p for p, k in zip(paragraphs, paragraph_keys(body), strict=True) if k in known]
    return signature("\n\n".join(kept)) if kept else EMPTY_SIGNATURE


FOOTER = (
    "This story was produced by the regional desk. Opinions quoted are those of the people "
    "named and not of this newspaper, which checks figures with official sources but cannot "
    "guarantee them; corrections are published on this page within two working days, and "
    "readers may reach the editors at the address listed on our contact page at any time."
)


@pytest.mark.parametrize(
    ("original", "copy"),
    [
        (QUAKE_A, QUAKE_A_REEDITED),
        (FLOOD_A, FLOOD_A_REEDITED),
        (QUAKE_A, QUAKE_A + "\n\nThe ministry will publish a new toll on Sunday morning."),
        (QUAKE_A, "\n\n".join(QUAKE_A.split("\n\n")[:-1])),  # the last paragraph cut
        ("Short news of the day in Sidon.\n\n" + FOOTER,
         "Short news of the day in Saida.\n\n" + FOOTER),
    ],
)  # fmt: skip
def test_copies_stay_one_story_beside_shared_paragraphs(original: str, copy: str) -> None:
    first, second = signature(original), signature(copy)
    assert estimate_similarity(first, second) >= 0.5
    assert same_story(first, second, shared_signature(copy, [original]))


def test_stories_sharing_only_furniture_are_not_one_story() -> None:
    one = "Floods closed the coastal road near Sidon on Monday.\n\n" + FOOTER
    two = "The central bank kept its main interest rate unchanged.\n\n" + FOOTER
    first, second = signature(one), signature(two)
    assert estimate_similarity(first, second) >= 0.5  # what marked them before
    assert not same_story(first, second, shared_signature(two, [one]))
    index = NearDuplicateIndex()
    index.add(1, first)
    index.add(2, signature(one.replace("Monday", "Tuesday")))
    assert [key for key, _ in index.matches(second)] == [1, 2]
