"""The crisis detector's rules: named regular expressions over normalized text.

Kept apart from the detector so the tables can be reviewed (and grown) on their
own; every pattern is written against the `Normalizer` form (lowercase ASCII
words, single spaces, contractions expanded). Each rule must begin at a word
boundary: the detector's one-pass pre-check relies on it, and a test checks it.
"""

from __future__ import annotations

from typing import Literal

CrisisKind = Literal[
    "self_harm", "suicide", "overdose", "medical_emergency", "infusion_reaction"
]
Rule = tuple[str, str]  # (name, regular expression over normalized text)

# Shared fragments; the rules are assembled from them by string concatenation.
_MYSELF = r"(?:my ?(?:self|slef|sefl|sef|selt|elf)|me ?self|mself|myselfe)"
_CANNOT = r"(?:cannot|can not|cant|cnt|canot|cannt|can no longer|could not)"
_WANT = (
    r"(?:want|wnat|wamt|whant|wnt|wan|wants|wanted|wanting|wana|gona)(?: to| too| 2)?"
)
_ANYMORE = r"(?:any ?m(?:ore|oer|roe|or)|no more|any longer|no longer|much longer)"
_DIE = (
    r"(?:di+e+|dei|b(?:e)? dead|drop dead|not (?:be )?(?:alive|here|exist)|disappear"
    r"|stop (?:living|existing|breathing|being alive)|sleep forever|be gone"
    r"|(?:not|never) wake up|end it all|end my life)"
)
_OVERDOSE = r"(?:ov(?:er|r|e)? ?do[sz]\w*|od)"
_SELF = r"(?:" + _MYSELF + r"|him ?self|her ?self|them ?sel(?:f|ves))"
_EMERGENCY = r"emerg[ae]?n?c[yi]"
_BLEED = r"ble+a?d(?:ing|in|s)?"
_PILLS = (
    r"(?:pills?|tablets?|tabs|caps(?:ules)?|medications?|medicines?|drugs|doses"
    r"|prescription|pain ?killers?|sleeping pills|sleep aids?|opioids?|opiates?"
    r"|oxy\w*|roxys?|percocets?|percs?|percos?|norcos?|xans|vicodin|hydrocodone|fentanyl|morphine|tramadol|xanax"
    r"|benzos?|valium|klonopin|ativan|ambien|gabapentin|lyrica|tylenol"
    r"|acetaminophen|paracetamol|ibuprofen|advil|aleve|aspirin|insulin|heroin"
    r"|ketamine|antidepressants?|lithium|methadone|suboxone)"
)
_ALCOHOL = r"(?:alcohol|booze|vodka|whiskey|wine|beer|liquor|drinks|drinking|rum|gin)"
_SYMPTOM = (
    r"(?:chest (?:\w+ )?(?:pains?|pressure|tightness)|heart (?:attacks?|problems)"
    r"|strokes?|seizures?|convulsions|(?:severe |serious |bad )?allergic reactions?"
    r"|anaphyla\w*|slurred speech|slurring|(?:heavy |severe )?bleeding"
    r"|trouble breathing|difficulty breathing|breathing (?:problems?|trouble|issues)"
    r"|short(?:ness)? of breath|passing out|fainting|unconsciousness"
    r"|respiratory (?:depression|problems))"
)


def _any(*alternatives: str) -> str:
    """Return one pattern matching any of `alternatives`."""
    return "|".join(alternatives)


SUICIDE_RULES: tuple[Rule, ...] = (
    # Any mention of suicide fires, questions included ("is ketamine used for
    # suicidal thoughts"): that false alarm is accepted.
    ("suicide_word", r"\b(?!sussed\b)su[ie]?[ae]?(?:c|s|sc|ss)[iey]{0,2}d"),
    ("kill_myself", r"\bk+i*l{1,3}(?:s|ed|d|ing|in|ling)? ?" + _SELF),
    ("kill_me", _any(
        r"\b(?:please|plz|just|someone|somebody|god|lord)(?: \w+){0,2}? kill me\b",
        r"\bkill me (?:now|already|please)\b",
        r"\b(?:want|wish|hope|hoping|wishing|pray|praying)(?: (?!not\b"
        r"|never\b)\w+){1,3} (?:would |will |to |could )?kills? me\b",
    )),
    ("method_myself",
     r"\b(?:hang|hanging|hung|shoot|shooting|shot|drown|drowning|suffocate|suffocating"
     r"|electrocute|off|offing|end|ending|ended) ?" + _SELF),
    ("euphemism", _any(
        r"\bun ?aliv\w*",
        r"\bsewer ?slide\b",
        r"\bself ?delet\w*",
        r"\bkms\b",
    )),
    ("end_my_life",
     r"\b(?:end|ending|ended|ends|endin|take|taking|takin|took|taken) (?:my|my own"
     r"|own) li(?:fe|ve|f)\b"),
    ("end_it_all",
     r"(?<!the )(?<!an )(?<!that )\b(?:end|ending|ended|endin) (?:it all|it|things"
     r"|everything|all of this|my existence|this life|me|my suffering (?:for good"
     r"|permanently|forever|once and for all))\b(?! (?:is|was|will|would|has|had"
     r"|should|takes|took|lasts|lasted|can|does|did|might|may|seems|gets|early"
     r"|on time|at|by|before|after|when)\b)"),
    # "i do not want to die" also fires; it is rare outside real fear.
    ("want_to_die",
     r"\b" + _WANT + r" (?:just |really |to |so |simply |finally |honestly |go )*"
     + _DIE + r"\b"),
    ("wish_dead",
     r"\b(?:wish|wished|wishing|hope|hoping|pray|praying)(?: that)? i (?:(?!not\b"
     r"|never\b)\w+ ){0,4}?(?:dead|die|died|di+e+|not (?:wake|waking) up"
     r"|never (?:wake|woke|waking) up|(?:not|never) exist(?:ed)?"
     r"|never (?:been )?born|not (?:be )?(?:alive|here|around)|disappear(?:ed)?"
     r"|gone)\b"),
    ("rather_be_dead",
     r"\b(?:would|had) (?:much )?rather (?:just )?(?:di+e+|be dead|not (?:be alive"
     r"|exist|live|wake up|be here))\b"),
    ("should_die", _any(
        r"\b(?:should|deserve to|ready to|let me|might as well|better if i"
        r"|time for me to|plan to|planning to|deserve)(?: just)? (?:di+e+|be dead"
        r"|disappear)\b",
        r"\bdeath wish\b",
        r"\bfeel(?:ing)? like (?:just )?(?:dying|di+e+ing|ending it|killing)",
    )),
    ("want_it_over", _any(
        r"\b(?:want|wnat|wish|need|hope|pray)(?:ing|ed|s)? (?:for )?(?:it all"
        r"|everything|all of this|all this|this all|it|this|my life|life"
        r"|things) (?:all )?(?:to|would|will|could) (?:just )?(?:end|be over|finish"
        r"|be done)\b",
        r"\b(?:want|wish|need)\w* (?:it all|everything|all of this|all this"
        r"|my life) (?:to|would) (?:just )?stop\b",
    )),
    ("no_reason_to_live", _any(
        r"\b(?:no|zero|not (?:a|any|one|much)|nothing|lost (?:my |the |all )?"
        r"|without(?: a| any)?|losing (?:my |the )?|(?:do not|dont) have (?:a|any)"
        r"|what is (?:my|the))(?: \w+)? (?:reasons?|will|desire|purpose"
        r"|motivation) (?:left )?(?:for me )?(?:to|2|for) (?:liv(?:e|ing|in)"
        r"|keep (?:going|living)|stay alive|be alive|go on)\b",
        r"\bno(?:thing| one|body)? (?:left )?(?:to|2) live for\b",
    )),
    ("no_point",
     r"\b(?:no|zero|not any|not much|lost the|see no|what is (?:even )?the"
     r"|is there (?:a|any|even a)|(?:do not|dont|dnt|cannot|can not"
     r"|no longer) see(?: the| a| any| much)?)(?: \w+)? point (?:in |of "
     r"|to )?(?:\w+ ){0,2}?(?:liv(?:e|ing|in)|go(?:ing|in|n)? on|carry(?:ing|in)? on"
     r"|keep(?:ing)? (?:going|living|trying|fighting)|being alive|being here"
     r"|existing|exist|life|it all|anything|" + _ANYMORE + r")\b"),
    ("cannot_go_on", _any(
        r"\b" + _CANNOT + r" (?:\w+ ){0,2}?(?:go(?:ing|in|n)? on|keep (?:going|living"
        r"|fighting|doing this)|carry on|do (?:this|it|life|any of this|this life)"
        r"|take (?:it|this|the pain|this pain|much more|any more|anymore|life)"
        r"|handle (?:it|this|life|the pain|this pain|living)|cope|live|bear (?:it"
        r"|this|the pain|this pain)|stand (?:it|this|the pain|this pain|living"
        r"|being alive)|survive|endure (?:it|this|the pain|this pain))(?: (?:living"
        r"|with (?:this|it|the pain|this pain|my pain|my life|life"
        r"|everything)))?(?: (?:\w+ )?(?:" + _ANYMORE + r"|like this|this way"
        r"|another day|one more day)\b|$)",
        r"\b(?:do not think|not sure|doubt|wonder if|do not know if"
        r"|do not know how) i can (?:\w+ )?(?:go on|survive|keep (?:going|living)"
        r"|make it (?:through )?(?:another day|the night|much longer))\b",
    )),
    ("do_not_want_to_live", _any(
        r"\b(?:do not|dnt|does not|no longer|not|never|hardly)(?: \w+)? (?:want|wnat"
        r"|wish|feel like|care)(?: to)? (?:(?:live|liv|living)\b(?! (?:on|with|in"
        r"|near|at|there|here|without|far|close|alone|by|a|an|my|the|for)\b)"
        r"|live (?:with|in) (?:\w+ ){0,3}?" + _ANYMORE + r"|be alive|stay alive|exist"
        r"|be (?:here|around)(?: \w+)? " + _ANYMORE + r"|be here$|(?:go"
        r"|carry) on(?: living| like this|$| " + _ANYMORE + r")|keep (?:going"
        r"|living)\b(?! to)|continue living|wake up|be on this earth"
        r"|be in this world)",
        r"\b(?:do not|dont|no longer) care (?:if|whether) i (?:live|di+e+|wake up)\b",
    )),
    ("life_not_worth_it", _any(
        r"\bnot worth living\b",
        r"\blife (?:\w+ ){0,2}?(?:is not|not|is no longer) worth (?:it|living)\b",
        r"\blife (?:is |feels )?(?:so |completely |totally )?(?:pointless|meaningless"
        r"|worthless|not worth it)\b",
        r"\bmy life is over\b",
        r"\b(?:living|being alive|going on|existing)(?: \w+){0,3} (?:is not"
        r"|not) worth it\b",
        r"\b(?:tired|sick|done|finished|exhausted|weary) (?:\w+ )?(?:of"
        r"|with) (?:living\b(?! (?:in|with) )|life|being alive|existing|it all"
        r"|my life|this life|everything)",
        r"\bhate (?:being alive|living|my existence|existing)\b",
        r"\bgiv(?:e|ing|en) up on (?:life|living|myself|everything)\b",
        r"\bhad enough of (?:life|living|it all|everything|this life|being alive)\b",
        r"\b(?:no|only) way out\b",
        r"\bwant out of (?:this life|life|this world)\b",
        r"\bi want out$",
    )),
    ("better_off_without_me", _any(
        r"\bbetter off dead\b",
        r"\bbetter dead\b",
        r"\bbetter off$",
        r"\b(?:better|happier|easier|fine|okay|ok)(?: off)? (?:\w+ ){0,2}?(?:without"
        r" me|with me gone|when i am gone|if i (?:was|were|am) (?:\w+ )?(?:gone|dead"
        r"|not (?:here|around|alive))|if i (?:just )?(?:died|disappeared"
        r"|did not exist|never existed|was never born|killed myself))\b",
    )),
    ("burden", _any(
        r"\b(?:i am|i feel like|i feel|i have become|feel like)(?: \w+)? (?:a |such a "
        r"|just a |nothing but a |only a )?burden\b",
        r"\b(?:no one|nobody|noone|no body|anyone|anybody)(?: \w+){0,2} (?:would|will"
        r"|is going to|going to|even)(?: \w+)? (?:miss me|care if i|care when i"
        r"|notice if i|notice when i|notice i am gone|care that i|notice that i"
        r"|mourn)\b",
        r"\bwould (?:anyone|anybody) (?:even )?(?:care|notice|miss me)\b",
        r"\b(?:no one|nobody|noone) (?:\w+ )?cares? (?:if|whether|that) i (?:live"
        r"|di+e+|am (?:alive|dead|gone|here))\b",
    )),
    ("goodbye", _any(
        r"\b(?:good ?bye|bye|farewell) (?:forever|for good|for ever|world"
        r"|cruel world)\b",
        r"\b(?:final|last) (?:goodbye|good bye|words)\b",
        r"\bfinal message\b",
        r"\b(?:this is|these are) my (?:last|final) (?:message|words|text)\b",
        r"\bsaying (?:my )?(?:final |last )?goodbyes?\b",
        r"\b(?:suicide|goodbye|good bye|farewell) (?:notes?|letters?)\b",
        r"\bgiv(?:e|ing|en) away (?:all )?(?:of )?my (?:things|stuff|belongings"
        r"|possessions|pets)\b",
        r"\bmy last (?:day|night) (?:on earth|alive)\b",
        r"\bgoodbye to (?:everyone|everybody|the world|this world)\b",
    )),
    ("method", _any(
        r"\b(?:jump|jumping|jumped|leap|throw myself|throwing myself) (?:off|from"
        r"|in front of|into|under) (?:a |the |my |an )?(?:\w+ )?(?:bridge|building"
        r"|roof|rooftop|cliff|balcony|train|bus|car|truck|traffic|overpass|window"
        r"|ledge|tower|subway)\b",
        r"\b(?:step|stepping|walk|walking|run|running) (?:in front of|into) (?:a "
        r"|the )?(?:oncoming )?(?:train|bus|car|truck|traffic|ocean|sea|lake"
        r"|river)\b",
        r"\bslit (?:my |his |her )?(?:wrists?|throat)\b",
        r"\b(?:gun|bullet|pistol) (?:to|in) my (?:head|mouth|brain|temple)\b",
        r"\bblow my brains? out\b",
        r"\bnoose\b",
        r"\bdriv(?:e|ing) (?:my car )?(?:off|into) (?:a |the )?(?:bridge|cliff|tree"
        r"|wall|oncoming traffic|traffic|lake|river)\b",
        r"\b(?:saving|saved|stockpil\w*|hoard\w*|stash\w*) (?:up )?(?:all )?(?:my "
        r"|the |some |enough )?(?:\w+ )?(?:pills|tablets|medication|painkillers"
        r"|opioids|sleeping pills)\b",
        r"\b(?:pills|rope|noose|gun|razor|blade) (?:is |are )?(?:ready|loaded)\b",
        r"\bbought (?:a |some )?rope\b",
        r"\b(?:ways?|how|methods?|best way|easiest way|quickest way"
        r"|painless way) (?:\w+ )?(?:to )?(?:di+e+|end (?:it|my life)|kill (?:myself"
        r"|yourself|oneself))\b",
        r"\bpainless(?:ly)? (?:way|death|ways)\b",
    )),
    ("lethal_dose", _any(
        r"\b(?:lethal|fatal|deadly|killing) (?:dose|amount|dosage|quantity|number)\b",
        r"\bhow (?:much|many) (?:\w+ ){0,5}?(?:to|would|will|does it take to|needed to"
        r"|do i need to|it takes to) (?:kill (?:me|myself|a person|someone|you)"
        r"|di+e+|end (?:it|my life)|be (?:fatal|lethal|deadly)|never wake up"
        r"|not wake up|stop (?:my|your) heart)\b",
    )),
    ("plan_or_attempt",
     r"\b(?:plan|plans|planning|planned|a plan|decided|deciding|intend|intending"
     r"|attempt|attempted|attempting|tried|try|trying|think(?:ing)? (?:about|of)"
     r"|thought (?:about|of)|thoughts (?:of|about)|considering|considered|urges? to"
     r"|fantasi[sz]\w* about|dream\w* (?:of|about))(?: to| of| about)? (?:kill\w*"
     r"|end\w* (?:it|things|everything|my life|my own life)|tak\w* my (?:own )?life"
     r"|jump\w* off|slit\w*|dying|di+e+|death|not being (?:here|alive|around)"
     r"|being dead|not waking up)\b"),
    ("overdose_plan", _any(
        r"\b(?:going to|gonna|plan\w* (?:to|on)|about to|want to|thinking (?:about|of)"
        r"|will|tonight i will|decided to) (?:just )?(?:take|taking"
        r"|swallow\w*) (?:all|every|a bunch|a bottle|a handful|the whole|the rest"
        r"|enough)\b",
        r"\b(?:have|got|bought) (?:a |my )?gun\b(?: \w+){0,6} (?:use it|end|myself"
        r"|tonight)\b",
    )),
    ("dark_thoughts", r"\bdark (?:thoughts|place)\b"),
    ("crisis_line", _any(
        r"\b988\b",
        r"\bcrisis (?:line|hotline|text line|number|center)\b",
        r"\bsuicide (?:hotline|line)\b",
    )),
    ("something_drastic",
     r"\b(?:might|may|going to|about to|afraid i will|scared i will|worried i will"
     r"|could|want to|feel like doing) (?:\w+ )?do something (?:stupid|drastic|crazy"
     r"|dangerous|permanent|i will regret)\b"),
    ("why_live", _any(
        r"\bwhy (?:should i|do i|would i|bother|even|keep|am i)(?: even| still| bother"
        r"| keep)* (?:liv(?:e|ing)|alive|be alive|stay alive|exist|existing|go on"
        r"|going on|carry on)\b",
        r"\bwhy am i still here\b",
    )),
    ("not_around_much_longer", _any(
        r"\b(?:will not|would not|not going to|may not|might not|wont) be (?:here"
        r"|around|alive) (?:for )?(?:long|" + _ANYMORE + r")\b",
        r"\bi will be gone (?:soon|by|tomorrow|tonight)\b",
        r"\bnot wake up tomorrow\b",
        r"\b(?:go|going) to sleep (?:and|forever)(?: \w+){0,2} (?:never|not) wake\b",
        r"\bnever wake up again\b",
        r"\b(?:sleep|asleep) (?:and|forever and) (?:just )?(?:never|not) wake up\b",
    )),
    ("going_to_die", r"\bi am (?:going to|gonna|about to) (?:just )?(?:di+e+\b|jump$)"),
)

SELF_HARM_RULES: tuple[Rule, ...] = (
    ("self_harm_word",
     r"\bs(?:el|le|e)f ?(?:harm\w*|harn\w*|hram\w*|injur\w*|mutilat\w*|hurt\w*"
     r"|inflicted)"),
    # Past tense included ("i cut myself"); accidents are removed by a guard.
    ("hurt_myself",
     r"\b(?:h[ue]rt|hurting|hurtin|harm|harming|harmed|injure|injuring|cut|cuts"
     r"|cutting|cuting|cuttin|burn|burning|burned|burnt|punch|punching|punish"
     r"|punishing|mutilate|mutilating|carve|carving|starve|starving|scratch"
     r"|scratching|stab|stabbing|bruise|bruising|hit|hitting) ?" + _SELF),
    ("cutting", _any(
        r"\b(?:been|started|start|keep|kept|still|relapsed|urges? to|urge|want to"
        r"|wanting to|thinking about|thought about|thoughts of"
        r"|back to)(?: \w+)? (?:cut|cutting|cuttin)\b(?! (?:my hair|the|costs"
        r"|corners|ties|carbs|sugar|it short)\b)",
        r"\bcut(?:ting|tin)? (?:into |on )?my (?:wrists?|arms?|legs?|thighs?|skin"
        r"|stomach|body|hips?)\b",
        r"\bcutting again\b",
        r"\b(?:razor|blade)s? (?:to|on) my (?:skin|arms?|wrists?|legs?|thighs?)\b",
    )),
    ("unsafe_with_myself", _any(
        r"\b(?:not (?:feel |feeling )?safe|unsafe) (?:with|around|by|from) " + _MYSELF,
        r"\bi am not safe(?: (?:right now|now|tonight|anymore|alone|at home"
        r"|to be alone))?$",
        r"\bi am not safe (?:right now|tonight|anymore|to be alone|alone)\b",
    )),
    ("deliberate_injury", _any(
        r"\b(?:until|till|til) (?:i|it) bleeds?\b",
        r"\bmak\w* myself bleed\b",
        r"\b(?:hit|hurt|cut|burn\w*|bang\w*|punch\w*|scratch\w*)(?: \w+){0,5}? on"
        r" purpose\b",
    )),
)

OVERDOSE_RULES: tuple[Rule, ...] = (
    # The word alone fires; questions about overdose are removed by a guard.
    ("overdose_word", r"\bov(?:er|r|e)? ?do[sz]\w*"),
    ("od_shorthand", _any(
        r"\bod\b",
        r"\boded\b",
        r"\bod(?:d)?ing\b",
        r"\bo d\b",
        r"\b(?:i|he|she|they|we|friend|son|daughter|husband|wife|brother|sister|mom"
        r"|dad|boyfriend|girlfriend|partner|roommate|someone|somebody)(?: just"
        r"| accidentally| almost| nearly)? odd\b",
    )),
    # Reports only: "i took too much" fires, "what if you take too much" does not.
    ("took_too_much",
     r"\b(?:took|tok|tooken|taken|takin|swallowed|swallow|swalowed|swollowed|popped"
     r"|downed|injected|snorted|used\b(?! to\b))(?: \w+){0,4}? (?:to{1,3} (?:much"
     r"|many|mutch|meny|mch)\b|(?:a|the|an|my|his|her) (?:whole|full"
     r"|entire) (?:\w+ ){0,2}?(?:bottle|pack|packet|box|strip|blister pack"
     r"|prescription|supply)|all (?:of )?(?:my|the|his|her|their|these"
     r"|those) (?:\w+ ){0,2}?" + _PILLS + r"|all of (?:them|it)\b|(?:all )?at once"
     # "took more than prescribed"; durations are left alone (and guarded).
     r"|more (?!(?:time|sessions?|infusions?|treatments?|visits?|hours?|minutes?"
     r"|days?|weeks?|months?|years?|effort|work)\b)(?:\w+ ){0,2}?than (?:\w+ )"
     r"{0,2}?(?:prescribed|recommended|directed|allowed|(?:i|he|she|they|we|you)"
     r" (?:should|was supposed|were supposed|am supposed|is supposed|are supposed"
     r"|was told|were told)|the (?:label|limit|max\w*))\b(?! (?:number of"
     r"|amount of time|time|sessions?|infusions?|treatments?|hours?|minutes?|days?"
     r"|weeks?)\b))"),
    ("pill_count", _any(
        r"\b(?:took|tok|taken|swallowed|swallow|swalowed|popped|downed|ate|eaten"
        r"|had)(?: \w+){0,3}? (?:[1-9]\d+|[6-9]|six|seven|eight|nine|ten|eleven"
        r"|twelve|fifteen|twenty|thirty|forty|fifty|hundred|a lot of|lots of"
        r"|loads of|tons of|a bunch of|dozens of|hundreds of|a handful of"
        r"|handfuls of|a fistful of|(?:a |the |\w+ )?(?:whole |entire "
        r"|full )?(?:bottles?|box(?:es)?|packs?|packets?|strips?) of"
        r"|the rest of)(?: \w+){0,2}? (?:" + _PILLS + r"|of them)\b",
        r"\bdouble ?dos\w*",
        r"\btook (?:my|the|his|her) (?:\w+ )?(?:medication|pills|dose) twice\b",
        r"\b(?:kid|child|son|daughter|baby|toddler|dog|cat|grandson|granddaughter"
        r"|grandchild)s? (?:\w+ )?(?:swallowed|ate|got into|took|has eaten"
        r"|has taken) (?:some of |all of )?(?:my|his|her|their|the|some) (?:\w+ )?"
        + _PILLS,
        r"\bdoubled? (?:up )?(?:on )?(?:my|the) dose\b",
        r"\bextra doses\b",
    )),
    ("mixed_with_alcohol", _any(
        r"\b(?:mixed|combined|(?:am|been|was|have been) (?:mixing|combining)|took"
        r"|taken|swallowed|washed down) (?:\w+ ){0,4}?" + _PILLS + r" (?:\w+ )"
        r"{0,3}?(?:with|and|plus|on top of) (?:\w+ ){0,3}?" + _ALCOHOL + r"\b",
        r"\b(?:drank|drunk|had) (?:\w+ ){0,4}?" + _ALCOHOL + r"(?: \w+){0,3}? (?:and"
        r"|then|with|plus) (?:\w+ ){0,2}?(?:took|swallowed|popped|taken"
        r"|mixed)\b(?: \w+){0,3}? " + _PILLS,
    )),
    ("poisoning", _any(
        r"\bpoisoned\b",
        r"\bpoisoning (?:" + _MYSELF + r"|me)\b",
        r"\bpoison control\b",
        r"\b(?:drank|drink|drinking|swallowed|ate|took) (?:some |a lot of "
        r"|a bottle of )?(?:bleach|antifreeze|anti freeze|poison|rat poison"
        r"|drain cleaner|lye)\b",
    )),
)

MEDICAL_EMERGENCY_RULES: tuple[Rule, ...] = (
    # Any chest pain fires except chronic or old-injury pain and questions about
    # side effects, which guards remove ("chest wall pain from an old fracture").
    ("chest_pain", _any(
        r"\bchest (?:\w+ ){0,2}?(?:pains?|pians?|pressure|tight\w*|hurt\w*|heav\w*"
        r"|discomfort|squeez\w*|crush\w*|ach\w*|burn\w*|is killing me|feels like)\b",
        r"\b(?:pains?|pressure|tightness|heaviness|squeezing|crushing|stabbing"
        r"|sharp pain|ache|aching|burning) (?:in|on|across|around) (?:my|his|her"
        r"|the) chest\b",
        r"\btight chest\b",
    )),
    ("heart_attack", _any(
        r"\bh(?:ea|a|e)rt ?attack\w*",
        r"\bcardiac arrest\b",
        r"\bheart (?:has |just )?stopped\b",
        r"\bno pulse\b",
        r"\b(?:doing|do|give|giving|start|started|starting|performing|perform"
        r"|need) cpr\b",
    )),
    ("cannot_breathe", _any(
        r"\b(?:" + _CANNOT + r"|can barely|can hardly|unable to|not able to"
        r"|struggling to|struggle to|hard to|difficult to|fighting to) (?:\w+"
        r" )?brea?th(?:e|ing|in)?\b",
        r"\b(?:trouble|difficulty|difficulties|problems?|hard time|struggling"
        r"|issues?) (?:with )?brea?th(?:ing|in)\b",
        r"\bbrea?th(?:ing|in) (?:problems?|trouble|difficult\w*|issues?)\b",
        r"\bshort(?:ness)? of breath\b",
        r"\bout of breath\b",
        r"\bcannot catch (?:my|his|her) breath\b",
        r"\bgasping\b",
        r"\bchoking\b(?! (?:up|back)\b)",
        r"\bsuffocating\b",
        r"\bwheezing (?:badly|bad|and)\b",
    )),
    ("not_breathing", _any(
        r"\b(?:not|stopped|stops|quit|has stopped|no longer|barely|hardly) breath(?:e"
        r"|ing|in)\b",
        r"\bbreathing (?:has )?(?:stopped|is (?:very |really )?(?:shallow|slow)"
        r"|very slow|slowed)\b",
        r"\b(?:lips|face|skin) (?:is |are |turning |turned |going )?blue\b",
        r"\bturning blue\b",
        r"\bfoam\w* at the mouth\b",
    )),
    # "i will not wake up" is left to the suicide rules (see the lookbehind).
    ("unresponsive", _any(
        r"\buncon(?:sc|s|c)ious\w*",
        r"\bunresponsive\b",
        r"\b(?:not|non) ?responsive\b",
        r"\blost consciousness\b",
        r"\bnot conscious\b",
        r"\b(?:passed|passing|passes) out\b",
        r"\bblacked out\b",
        r"\bfaint(?:ed|ing)\b",
        r"\bcollapsed\b",
        r"(?<!\bi )(?:will not|would not|does not|did not|is not|wont) wak(?:e"
        r"|ing)(?: (?:him|her|them))?(?: up)?\b",
        r"\bcannot wake (?:him|her|them|my \w+|\w+ up)\b",
        r"\b(?:he|she|they|him|her|my \w+) (?:is |are )?not (?:responding|moving"
        r"|waking)\b",
    )),
    ("seizure", _any(
        r"\bhaving (?:a |another )?s(?:ei|ie|e|i)zures?\b",
        r"\bseizing\b",
        r"\bconvuls\w*",
        r"\bseizures? (?:right now|now|will not stop|is not stopping|keeps? going)\b",
        r"\b(?:just|has just|keeps?) had (?:a |another )?seizure\b",
        r"\bin a seizure\b",
    )),
    ("stroke_signs", _any(
        r"\bhaving a (?:mini |small |minor )?stroke\b",
        r"\bstroke (?:right )?now\b",
        r"\b(?:face|mouth|smile) (?:is |went |has gone |looks )?(?:droop\w*|lopsided"
        r"|crooked|numb|sagging|uneven)\b",
        r"\bdroop\w* (?:face|mouth|eye|eyelid|side)\b",
        r"\bslurr\w*",
        r"\bspeech (?:is )?(?:garbled|weird)\b",
        r"\b(?:one side|left side|right side|half) of (?:my|his|her|the) (?:body"
        r"|face)(?: is| went| feels| has gone)? (?:numb|weak|paralyzed|limp|dead"
        r"|tingling)\b",
        r"\bnumb(?:ness)? (?:on|in|down) (?:one|the left|the right|my left|my right"
        r"|his left|his right|her left|her right) side\b",
        r"\bcannot (?:move|feel|lift) (?:my|his|her) (?:left |right )?(?:arm|legs?"
        r"|side|hand|face)\b",
        r"\bsudden (?:severe |terrible |really bad )?headache\b",
        r"\bthunderclap headache\b",
        r"\bworst headache of (?:my|his|her) life\b",
    )),
    ("allergic_reaction", _any(
        r"\b(?:severe|bad|serious|major|strong) allergic reaction\b",
        r"\bhaving an? (?:bad|severe|serious|terrible|weird|scary) reaction\b",
        r"\b(?:having|going into|went into|gone into) (?:an? )?(?:\w+ )?(?:allergic"
        r" reaction|anaphyla\w*)",
        r"\banaphyla\w*",
        r"\bana(?:ph|f)(?:a|i|y)?lac?t\w*",
        r"\bthroat (?:\w+ ){0,4}?(?:clos\w*|swell\w*|swollen"
        r"|tight\w*)\b",
        r"\b(?:lips?|tongue|face|throat|mouth|eyes) (?:is |are |keeps? |started "
        r"|starting |have |has )?(?:swell\w*|swollen|puff\w* up|blowing up)\b",
        r"\bswelling (?:up|of (?:my|his|her|the) (?:lips|tongue|throat|face))\b",
        r"\bcannot swallow\b(?! (?:pills|tablets|capsules|medication|the pills))",
        r"\bhives all over\b",
        r"\b(?:use|used|using|need|needs|give|gave|giving) (?:my |his |her |an |the )?"
        r"epi ?pen\b",
    )),
    ("bleeding", _any(
        r"\b" + _BLEED + r" (?:\w+ ){0,2}?(?:heavily|a lot|badly|everywhere|profusely"
        r"|out|so much|non ?stop|uncontrollably)\b",
        r"\b(?:heavy|severe|uncontroll\w*|serious|massive|lots of|a lot of"
        r"|so much) (?:\w+ )?" + _BLEED + r"\b",
        r"\b(?:will not|would not|does not|cannot|can not|wont|not) stop (?:the |my "
        r"|his |her )?" + _BLEED + r"\b",
        r"\b" + _BLEED + r" (?:\w+ ){0,8}?(?:will not|would not|does not|cannot|is not"
        r"|wont|not) stop\w*",
        r"\b(?:losing|lost) (?:a lot of |lots of |so much |too much )?blood\b",
        r"\bblood (?:everywhere|all over|is everywhere|pouring|gushing|spurting)\b",
        r"\b(?:coughing|vomiting|throwing|puking|spitting) (?:up )?blood\b",
    )),
    ("emergency_call", _any(
        r"\b911\b",
        r"\b9 1 1\b",
        r"\bnine one one\b",
        r"\bambul[ae]nce\b",
        r"\bparamedics?\b",
        r"\bcall (?:an? )?(?:emt|ems|emergency services)\b",
    )),
    ("emergency_words", _any(
        r"\b(?:(?:this|it|there) is|is (?:this|it)|(?:have|having|got)) an? (?:\w+ )?"
        + _EMERGENCY + r"\b",
        r"\b(?:medical|real|actual|true) " + _EMERGENCY + r"\b",
        r"\b" + _EMERGENCY + r" (?:right )?now\b",
        r"\blife or death\b",
        r"^(?:help |please |this is an |it is an |an )*" + _EMERGENCY
        + r"(?: please| help| help me)*$",
        r"\b(?:need|needs|get|getting) (?:urgent|emergency|immediate) (?:medical"
        r" )?(?:help|attention|care)\b",
        r"\bneed help (?:right now|now|immediately|asap|urgently|fast|quick)\b",
        r"\bplease help (?:me )?(?:now|right now|asap|hurry|quick|fast)\b",
        r"\bfell (?:down )?and (?:cannot|can not|could not) get up\b",
    )),
    ("emergency_room", _any(
        r"\b(?:go|going|goin|gone|went|rush\w*|head\w*|driv\w*|drove|get|getting"
        r"|brought|bring|tak(?:e|ing|en) (?:me|him|her|them|my \w+)|on (?:my|our"
        r"|the) way|ended up|end up) (?:\w+ ){0,2}?(?:to |in |at )?(?:the )?(?:er|e r"
        r"|emergency room|emergency department|a and e|hospital (?:now|right now"
        r"|asap|immediately))\b",
        r"\b(?:i am|we are|he is|she is|they are) (?:\w+ )?(?:in|at) the (?:er"
        r"|emergency room)\b",
    )),
    ("dying_now", _any(
        r"\bi am dying\b",
        r"\b(?:think|feel like|feels like|scared|afraid|worried|sure) i am (?:going to"
        r"|gonna|about to) di+e+\b",
        r"\b(?:going|about) to (?:pass out|faint|collapse)\b",
    )),
)

# Harmless phrasings that a rule would otherwise catch. Each is blanked out
# before the rules run; nothing else in the message is touched.
GUARDS: tuple[Rule, ...] = (
    ("idiom_dying_for",
     r"\bdying (?:to (?:know|see|try|get|hear|find out|ask|meet|go|start|book|learn"
     r"|have|tell|visit|come|talk)|for (?:a|an|some|the|my|one|another) \w+"
     r"|of (?:laughter|laughing|boredom|curiosity|embarrassment|thirst|hunger)"
     r"|lol|lmao|haha\w*)\b"),
    ("idiom_kill_the_pain", _any(
        r"\bkill\w* (?:the |my |this |that |your |some |off the )(?:(?!self\b)\w+"
        r" )?(?:pain|nerves?|germs|bacteria|time|bugs|infection)\b",
        r"\bkill\w* (?:pain|time|germs)\b",
    )),
    ("idiom_took_it_out_of_me",
     r"\btook (?:\w+ )?(?:too much|so much|a lot) (?:out of (?:me|him|her)|time|effort"
     r"|energy)\b"),
    ("question_feel_like_dying",
     r"\b(?:will|would|does|do|can|could|might|may) (?:\w+ ){1,3}?makes? (?:me|you"
     r"|people|patients|someone) feel like (?:i am |you are |they are )?(?:dying"
     r"|going to die)\b"),
    ("overdose_information", _any(
        r"\b(?:can|could) (?:you|one|someone|somebody|people|a person|anyone|patients?"
        r"|i) (?:\w+ )?" + _OVERDOSE + r"(?: on)?\b",
        r"\b(?:possible|easy|likely|common|hard|dangerous|safe|able|chances?|risks?"
        r"|dangers?|likelihood|possibility|signs?|symptoms?|treatment|prevention"
        r"|reversal|history) (?:of |to )?(?:an? )?(?:\w+ )?" + _OVERDOSE + r"\b",
        r"\b" + _OVERDOSE + r" (?:risks?|dangers?|crisis|epidemic|deaths?|rates?"
        r"|statistics|prevention|protocols?|reversal|kits?|possible|common|likely)\b",
        r"\b(?:avoid\w*|prevent\w*|handle\w*|treat\w*|manag\w*|monitor\w* for"
        r"|watch\w* for|protect\w* against|revers\w*|worried about|afraid of"
        r"|scared of|fear of) (?:\w+ ){0,2}?" + _OVERDOSE + r"\b",
        r"\bwhat (?:happens|would happen) (?:if|when) (?:you|someone|somebody"
        r"|a patient|a person|people|patients|anyone|one) (?:\w+ )?" + _OVERDOSE
        + r"\b",
        r"\bwhat (?:is|are) (?:an? )?(?:\w+ )?" + _OVERDOSE + r"\b",
    )),
    ("symptom_question", _any(
        r"\b(?:does|do|can|could|will|would|might|may|is|are) (?:\w+ ){0,3}?(?:cause"
        r"|causes|give|gives|lead to|leads to|trigger|triggers|result in|increase"
        r"|raise) (?:\w+ ){0,2}?" + _SYMPTOM,
        r"\b(?:is|are) (?:\w+ )?" + _SYMPTOM + r" (?:a |an )?(?:common |normal "
        r"|possible |known |rare |serious |usual |expected )?(?:side effects?|normal"
        r"|common|expected|dangerous|a risk|a concern|possible)\b",
        r"\bside effects? (?:like|such as|including|of|include) (?:\w+ ){0,4}?"
        + _SYMPTOM,
        r"\b(?:risks?|chances?|history|signs|symptoms) of (?:\w+ ){0,2}?(?:an? )?"
        + _SYMPTOM,
        r"\bif (?:i|you|someone|a patient|patients|people) (?:have|has|had|get|gets"
        r"|experience|experiences|develop|develops)(?: ever)?(?: had)? (?:an? "
        r"|any )?(?:history of )?" + _SYMPTOM,
        r"\b(?:will|would|could|might|may|can|do|does) (?:i|you|we|people|patients"
        r"|someone|it|ketamine|the infusion|the treatment) (?:\w+ ){0,2}?(?:have|get"
        r"|experience|feel|develop|cause) (?:an? |any )?" + _SYMPTOM,
    )),
    ("sedation_question",
     r"\b(?:will|would|do|does|am|are|is|can|could|should) (?:i|you|we|patients?"
     r"|people|they|ketamine|it|the infusion|the treatment) (?:\w+"
     r" ){0,3}?(?:unconscious|asleep|knocked out)\b"),
    ("medical_history", _any(
        r"\b(?:history of|previous|prior|past|old|survived|survivor of|after my"
        r"|since my|recovered from|recovering from)(?: an?| my)? (?:\w+ )?(?:heart"
        r" attack|stroke|seizure|cardiac arrest|anaphyla\w*|allergic reaction)s?\b",
        r"\b(?:had|have had|has had)(?: an?| my)? (?:\w+ )?(?:heart attack|stroke"
        r"|seizure|cardiac arrest|allergic reaction|anaphyla\w*)s?(?: \w+){0,3}"
        r" (?:ago|years|months|in (?:19|20)\d\d|last year|before|in the past"
        r"|previously|as a child|once)\b",
        r"\b(?:my|his|her) (?:heart attack|stroke|seizure)s? (?:\w+ ){0,3}?(?:ago"
        r"|in (?:19|20)\d\d|last year|years)\b",
    )),
    # Long-standing breathlessness described as a condition, not an event.
    ("breathless_condition", _any(
        r"\b(?:get|gets|become|becomes) (?:\w+ )?(?:short|out) of breath\b",
        r"\b(?:short(?:ness)?|out) of breath (?:easily|on exertion|when (?:i|walking"
        r"|climbing|exercising)|with (?:exercise|exertion|stairs)|after (?:walking"
        r"|climbing|exercise|exercising))\b",
    )),
    ("chronic_chest_pain", _any(
        r"\bchest wall\b(?: \w+)?",
        r"\bchronic (?:\w+ ){0,2}?chest (?:\w+ )?pains?\b",
        r"\bchest (?:\w+ )?pains? (?:from|due to|because of|caused by) (?:an? "
        r"|my )?(?:old|previous|past|prior|healed|costochondritis|fibromyalgia"
        r"|shingles|rib)\b",
    )),
    ("hypothetical_emergency",
     r"\b(?:what if|what happens if|what happens in|in case of|in the event of|if"
     r"|during) (?:there is |i have |you have |we have |someone has "
     r"|a patient has )?(?:an? )?(?:medical )?" + _EMERGENCY + r"\b"),
    ("accidental_injury", _any(
        r"\b(?:hurt|injured|cut|burn(?:ed|t)?|hit) " + _MYSELF + r" (?:\w+ )"
        r"{0,2}?(?:lifting|at work|at the gym|working|playing|running|skiing"
        r"|exercising|falling|shaving|cooking|gardening|moving|by accident"
        r"|accidentally|in an? (?:accident|fall|car)|on the job|in (?:19|20)\d\d"
        r"|years ago|last (?:year|month|week)|when i fell|on the stove|on a pan"
        r"|on the oven|doing)\b",
        r"\baccidentally (?:hurt|cut|burn(?:ed|t)?|hit) " + _MYSELF,
    )),
    ("routine_medication", _any(
        r"\btook all (?:of )?my (?:usual|regular|normal|daily|morning|evening|nightly"
        r"|night|prescribed|scheduled|other)\b(?!(?: \w+){0,3} (?:at once"
        r"|at the same time|together|in one go)\b)",
        r"\b(?:took|taken) all (?:of )?my (?:\w+ ){0,2}?(?:as prescribed|as usual"
        r"|like usual|like normal|as normal|on time|as directed|as instructed)\b",
    )),
    # "it took more sessions than recommended": how long, not how many pills.
    ("took_longer", r"\b(?:it|that|this|which) took (?:\w+ ){0,3}?more\b"),
    ("cutting_back", r"\bcut(?:ting|s)? (?:back|down)\b"),
    ("distance_kms", r"\b\d+ ?kms\b"),
    # Phone numbers and street addresses collected by the consultation form.
    ("phone_or_address", _any(
        r"\b\d{3} (?:988|911) \d{4}\b",
        r"\b(?:988|911) \d{3} \d{4}\b",
        r"\b(?:988|911) \d{4}\b",
        r"\b(?:988|911) (?:\w+ ){1,2}(?:st|street|ave|avenue|rd|road|blvd|boulevard"
        r"|drive|doctor|lane|ln|way|court|ct|place|pl|circle)\b",
        r"\b(?:suite|ste|apt|unit|room|number|no) (?:988|911)\b",
    )),
)

# The most time-critical kind wins when a message matches several: an overdose
# or a physical emergency needs 911 within minutes.
RULES: tuple[tuple[CrisisKind, tuple[Rule, ...]], ...] = (
    ("overdose", OVERDOSE_RULES),
    ("medical_emergency", MEDICAL_EMERGENCY_RULES),
    ("suicide", SUICIDE_RULES),
    ("self_harm", SELF_HARM_RULES),
)
