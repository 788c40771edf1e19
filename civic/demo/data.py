"""The demo needs, ideas, supports, votes and comments of Torino, Palermo and Bologna.

Plain data, read by civic.demo.content, which creates everything through the services.
People are named by the part of their demo email before "@example.it"; posts by a short
key, unique across the three cities. Supports and votes follow a Zipf-like shape: one
popular post per list, most with one or two. Nothing here is random.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeedSeed:
    key: str
    author: str
    neighbourhood: str
    theme: str
    title: str
    body: str
    location: str | None = None
    supporters: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdeaSeed:
    key: str
    author: str
    neighbourhood: str
    theme: str
    title: str
    summary: str
    beneficiaries: str
    estimated_cost: str | None  # euros, as text for an exact Decimal
    body: str
    needs: tuple[str, ...] = ()  # keys of needs of the same city
    voters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    author: str
    body: str


@dataclass(frozen=True)
class Comment:
    author: str
    body: str
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class CitySeed:
    needs: tuple[NeedSeed, ...]
    ideas: tuple[IdeaSeed, ...]
    # post key -> top-level comments, in the order they were written
    threads: dict[str, tuple[Comment, ...]]
    # ideas their authors withdrew, after the votes and comments above
    withdrawn: tuple[str, ...] = ()


# --- Torino ---------------------------------------------------------------------------------------

TORINO = CitySeed(
    needs=(
        NeedSeed(
            key="to-pomeriggi",
            author="anna.rossi",
            neighbourhood="Barriera di Milano",
            theme="giovani-e-partecipazione",
            title="Ragazzi delle medie senza un posto dove stare il pomeriggio",
            location="Zona di piazza Crispi e via Montanaro",
            body=(
                "Dopo la scuola molti ragazzi tra gli 11 e i 14 anni restano in strada o ai giardini fino a sera, "
                "perché i genitori lavorano e in casa non c'è nessuno. I doposcuola della zona sono pochi e "
                "hanno **liste d'attesa di mesi**. Servirebbe un luogo sicuro, con adulti di riferimento, dove fare "
                "i compiti e poi stare insieme: sport, musica, qualcosa che li faccia sentire parte del quartiere."
            ),
            supporters=("karim.benali", "giuseppe.ferrero", "elena.martinetti", "oumar.diallo"),
        ),
        NeedSeed(
            key="to-sportello-documenti",
            author="karim.benali",
            neighbourhood="Aurora",
            theme="integrazione-paesi-terzi",
            title="Orientarsi tra permesso di soggiorno, residenza e tessera sanitaria",
            location="Zona di Porta Palazzo",
            body=(
                "Tante persone arrivate da poco in Aurora non sanno da dove cominciare con i documenti. Le pratiche "
                "si rincorrono l'una con l'altra:\n\n"
                "- senza residenza non si rinnova il permesso di soggiorno;\n"
                "- senza permesso non ci si iscrive al servizio sanitario;\n"
                "- senza tessera sanitaria non si sceglie il medico di famiglia.\n\n"
                "Chi aiuta oggi lo fa per passaparola, spesso a pagamento. Manca un punto di orientamento vicino, "
                "gratuito e con qualcuno che parli arabo, francese e inglese."
            ),
            supporters=("oumar.diallo", "anna.rossi"),
        ),
        NeedSeed(
            key="to-anziani-scale",
            author="giuseppe.ferrero",
            neighbourhood="Vallette",
            theme="autonomia-anziani-disabili",
            title="Anziani soli ai piani alti delle case popolari senza ascensore",
            body=(
                "Nelle case popolari delle Vallette abitano molte persone sopra gli 80 anni, spesso da sole, ai "
                "piani alti di palazzine **senza ascensore**. Per qualcuno fare le scale è diventato impossibile "
                "e ormai esce di casa solo quando passa un parente. Così salta la spesa, salta la visita dal medico "
                "e soprattutto mancano le relazioni con i vicini."
            ),
            supporters=("anna.rossi", "elena.martinetti"),
        ),
        NeedSeed(
            key="to-lavoro-donne",
            author="elena.martinetti",
            neighbourhood="Mirafiori Sud",
            theme="lavoro-e-occupabilita",
            title="Donne sopra i 45 anni che cercano lavoro dopo anni di precariato",
            body=(
                "A Mirafiori Sud conosco molte donne che hanno lavorato per anni nelle pulizie, nelle mense o "
                "nell'indotto e che oggi sono disoccupate. Le offerte di lavoro ormai passano tutte da internet, "
                "ma molte di noi non hanno mai scritto un curriculum al computer. Servirebbe un accompagnamento "
                "vero: orientamento, **corsi pratici** e qualche tirocinio nelle aziende della zona."
            ),
            supporters=("giuseppe.ferrero",),
        ),
        NeedSeed(
            key="to-affitti",
            author="oumar.diallo",
            neighbourhood="San Salvario",
            theme="disagio-abitativo",
            title="Affitti fuori portata e stanze sovraffollate per chi lavora",
            body=(
                "In San Salvario trovare casa con un contratto regolare è diventato quasi impossibile per chi ha "
                "uno stipendio normale, e ancora di più se hai un nome straniero. Molti lavoratori finiscono in "
                "stanze condivise in quattro o cinque, pagate in nero. Non chiediamo case gratis: chiediamo di "
                "poter firmare un contratto vero e di avere qualcuno che faccia da garante."
            ),
            supporters=("karim.benali",),
        ),
        NeedSeed(
            key="to-senza-dimora",
            author="karim.benali",
            neighbourhood="Aurora",
            theme="persone-fragili",
            title="Persone senza dimora lungo la Dora nelle notti d'inverno",
            location="Lungo Dora, vicino a ponte Mosca",
            body=(
                "Ogni inverno lungo la Dora ci sono persone che dormono all'aperto, alcune sempre nello stesso "
                "posto da mesi. Chi abita qui le conosce di vista, ma non sa a chi segnalare quando qualcuno sta "
                "male. Sarebbe utile sapere **quali servizi passano la sera** e avere un numero da chiamare."
            ),
            supporters=("oumar.diallo",),
        ),
    ),
    ideas=(
        IdeaSeed(
            key="to-spazio-giovani",
            author="anna.rossi",
            neighbourhood="Barriera di Milano",
            theme="giovani-e-partecipazione",
            title="Uno spazio giovani aperto fino alle 20 in un locale sfitto delle case popolari",
            summary=(
                "Recuperare un locale al piano terra oggi vuoto e farne uno spazio per ragazze e ragazzi delle "
                "medie: compiti con educatori il pomeriggio, poi laboratori e sport."
            ),
            beneficiaries=(
                "Ragazze e ragazzi tra 11 e 14 anni di Barriera di Milano e Aurora, e le loro famiglie."
            ),
            estimated_cost="85000",
            body=(
                "In diversi cortili delle case popolari ci sono locali al piano terra chiusi da anni. L'idea è "
                "prenderne uno in gestione e aprirlo **dal lunedì al venerdì, dalle 14:30 alle 20**.\n\n"
                "- dalle 14:30 alle 17: aiuto compiti con due educatori di una cooperativa;\n"
                "- dalle 17 alle 20: laboratori di musica, fumetto e calcetto, anche proposti dai ragazzi;\n"
                "- una volta al mese: un incontro aperto alle famiglie.\n\n"
                "Il costo comprende piccoli lavori di sistemazione, arredi e i due educatori per un anno. Alcuni "
                "genitori e pensionati del quartiere si sono già detti disponibili come volontari."
            ),
            needs=("to-pomeriggi",),
            voters=("karim.benali", "giuseppe.ferrero", "elena.martinetti", "oumar.diallo"),
        ),
        IdeaSeed(
            key="to-portierato",
            author="giuseppe.ferrero",
            neighbourhood="Vallette",
            theme="autonomia-anziani-disabili",
            title="Portierato sociale e spesa a domicilio per gli anziani delle Vallette",
            summary=(
                "Un portierato sociale con un operatore e una rete di vicini volontari per la spesa, i farmaci e "
                "un po' di compagnia a chi non riesce più a scendere le scale."
            ),
            beneficiaries="Anziani soli e persone con disabilità che abitano ai piani alti senza ascensore.",
            estimated_cost="40000",
            body=(
                "Un operatore presente tutte le mattine in un locale del quartiere raccoglie le richieste: spesa, "
                "ritiro di ricette e farmaci, accompagnamento alle visite. I vicini che hanno un'ora libera si "
                "iscrivono a una lista e si dividono i giri.\n\n"
                "Il portierato diventa anche un punto di riferimento per segnalare chi non si vede da qualche "
                "giorno. Il costo copre l'operatore part-time per un anno e un piccolo fondo per i rimborsi."
            ),
            needs=("to-anziani-scale",),
            voters=("anna.rossi", "elena.martinetti"),
        ),
        IdeaSeed(
            key="to-competenze-digitali",
            author="elena.martinetti",
            neighbourhood="Mirafiori Sud",
            theme="lavoro-e-occupabilita",
            title="Laboratorio di competenze digitali e tirocini con le imprese della zona",
            summary=(
                "Un percorso di quattro mesi per donne disoccupate: uso del computer, curriculum, colloqui, e "
                "poi un tirocinio retribuito in un'impresa o cooperativa del quartiere."
            ),
            beneficiaries="Donne disoccupate o inattive sopra i 45 anni di Mirafiori Sud e Mirafiori Nord.",
            estimated_cost="120000",
            body=(
                "Il percorso è pensato per gruppi di 15 persone e si svolge in tre fasi:\n\n"
                "1. **orientamento** individuale, per capire esperienze e obiettivi di ciascuna;\n"
                "2. **laboratorio** di due mattine a settimana: email, portali del lavoro, curriculum e prove di "
                "colloquio;\n"
                "3. **tirocinio** di tre mesi con borsa lavoro, in imprese e cooperative sociali della zona.\n\n"
                "Con due gruppi all'anno si potrebbero accompagnare 30 donne."
            ),
            needs=("to-lavoro-donne",),
            voters=("giuseppe.ferrero",),
        ),
        IdeaSeed(
            key="to-sportello-mobile",
            author="karim.benali",
            neighbourhood="Aurora",
            theme="integrazione-paesi-terzi",
            title="Sportello mobile di orientamento ai servizi con mediatori culturali",
            summary=(
                "Un punto informativo itinerante, due sere a settimana tra Aurora e San Salvario, con mediatori "
                "che spiegano documenti, casa e servizi e accompagnano agli uffici giusti."
            ),
            beneficiaries=(
                "Cittadini di Paesi terzi arrivati da poco, famiglie e lavoratori stranieri di Aurora e San Salvario."
            ),
            estimated_cost=None,
            body=(
                "Invece di aspettare che le persone trovino l'ufficio giusto, lo sportello va dove sono: al "
                "mercato, davanti alle scuole, nei locali delle associazioni. I mediatori parlano arabo, francese, "
                "inglese e wolof.\n\n"
                "Non sostituisce gli uffici: aiuta a preparare i documenti e a prendere gli appuntamenti. Il costo "
                "dipende da quante associazioni mettono a disposizione spazi e volontari."
            ),
            needs=("to-sportello-documenti", "to-affitti"),
            voters=("oumar.diallo",),
        ),
    ),
    threads={
        "to-pomeriggi": (
            Comment("karim.benali", (
                "Confermo, in Aurora è lo stesso. Mio figlio fa la seconda media e il doposcuola della parrocchia "
                "ci ha messi in lista d'attesa fino a gennaio."
            ), replies=(
                Reply("anna.rossi", (
                    "Ne ho parlato con altre mamme al mercato di piazza Foroni: siamo davvero in tante nella stessa "
                    "situazione."
                )),
            )),
            Comment("moderatore.torino", (
                "Grazie Anna per la segnalazione, chiara e ben descritta. La condividiamo con la Circoscrizione e "
                "con l'ufficio che segue la co-programmazione con il Terzo Settore. Se avete già in mente una "
                "soluzione, potete pubblicarla come proposta e collegarla a questo bisogno."
            ), replies=(
                Reply("anna.rossi", "Grazie Marco! Ci stiamo lavorando con alcune famiglie, la pubblico a breve."),
            )),
        ),
        "to-anziani-scale": (
            Comment("elena.martinetti", (
                "Anche a Mirafiori Sud. La mia vicina ha 84 anni, abita al quarto piano e da Natale non è più "
                "scesa in cortile."
            )),
            Comment("moderatore.torino", (
                "Grazie Giuseppe. Sai se negli stabili di cui parli è già stata fatta una richiesta all'ente "
                "gestore per installare l'ascensore? Ci aiuta a capire a chi indirizzare la segnalazione."
            ), replies=(
                Reply("giuseppe.ferrero", (
                    "Sì, più di una volta: l'ultima due anni fa, con le firme di quasi tutte le scale. Ci hanno "
                    "risposto che per ora non ci sono fondi."
                )),
            )),
        ),
        "to-spazio-giovani": (
            Comment("giuseppe.ferrero", (
                "Bella idea. Però chi tiene aperto lo spazio tutti i giorni? Con i soli volontari dopo qualche mese "
                "si chiude."
            ), replies=(
                Reply("anna.rossi", (
                    "Giusto. Nel costo ho previsto due educatori part-time di una cooperativa: i volontari danno "
                    "una mano, ma non reggono lo spazio da soli."
                )),
            )),
            Comment("oumar.diallo", (
                "Se serve, il sabato posso tenere un laboratorio di percussioni. Lo faccio già con i ragazzi "
                "dell'oratorio."
            ), replies=(
                Reply("anna.rossi", "Fantastico, grazie Oumar! Ne parliamo alla prossima riunione del comitato."),
            )),
        ),
        "to-sportello-mobile": (
            Comment("moderatore.torino", (
                "Proposta interessante. Per valutarla servono un'idea delle sere e dei luoghi in cui si fermerebbe "
                "lo sportello e le associazioni disposte a collaborare: potete indicarle nei commenti."
            ), replies=(
                Reply("karim.benali", (
                    "Pensavamo al martedì sera al mercato e al giovedì in San Salvario. Due associazioni della "
                    "zona ci hanno già detto di sì per gli spazi."
                )),
            )),
        ),
    },
)


# --- Palermo --------------------------------------------------------------------------------------

PALERMO = CitySeed(
    needs=(
        NeedSeed(
            key="pa-campetto",
            author="giovanna.pipitone",
            neighbourhood="ZEN",
            theme="educazione-cultura-sport-ambiente",
            title="Allo ZEN 2 non c'è un campetto agibile per i ragazzi",
            location="Area verde tra le insule dello ZEN 2",
            body=(
                "Il vecchio campetto tra le insule è pieno di buche, senza reti e senza luci, e i ragazzi giocano "
                "a pallone in mezzo alle macchine. Le società sportive più vicine sono lontane e costano troppo "
                "per tante famiglie. **Lo sport è una delle poche cose che tiene i ragazzi lontani dalla strada**: "
                "basterebbe uno spazio sistemato e qualcuno che lo curi."
            ),
            supporters=("salvo.messina", "francesca.lupo", "ibrahima.sow", "rosario.cusumano"),
        ),
        NeedSeed(
            key="pa-dispersione",
            author="francesca.lupo",
            neighbourhood="Brancaccio",
            theme="giovani-e-partecipazione",
            title="Ragazzi che lasciano la scuola dopo la terza media",
            body=(
                "A Brancaccio tanti ragazzi finiscono la terza media e poi non si iscrivono alle superiori, oppure "
                "smettono di andarci dopo pochi mesi. Le famiglie spesso non sanno come aiutarli e le scuole da "
                "sole non ce la fanno. Quello che manca:\n\n"
                "- qualcuno che li segua **nel passaggio alle superiori**;\n"
                "- un aiuto allo studio gratuito vicino a casa;\n"
                "- attività che diano un motivo per restare."
            ),
            supporters=("giovanna.pipitone", "rosario.cusumano"),
        ),
        NeedSeed(
            key="pa-case-umide",
            author="salvo.messina",
            neighbourhood="Danisinni",
            theme="disagio-abitativo",
            title="Case umide e con infiltrazioni nel rione",
            location="Vicoli intorno a piazza Danisinni",
            body=(
                "Molte case del rione sono vecchie, con muri pieni di muffa e tetti che d'inverno fanno entrare "
                "l'acqua. Ci vivono famiglie con bambini piccoli e anziani, spesso in affitto senza contratto e "
                "quindi senza modo di chiedere i lavori al proprietario. Chi può se ne va, chi resta si arrangia "
                "con secchi e stufette."
            ),
            supporters=("francesca.lupo",),
        ),
        NeedSeed(
            key="pa-italiano-sera",
            author="ibrahima.sow",
            neighbourhood="Ballarò",
            theme="integrazione-paesi-terzi",
            title="Corsi di italiano la sera per chi lavora al mercato",
            location="Mercato di Ballarò, zona piazza del Carmine",
            body=(
                "Tanti di noi lavorano al mercato o nei ristoranti dalla mattina presto al pomeriggio, e i corsi "
                "di italiano gratuiti si tengono quasi tutti di mattina. Senza la lingua è difficile trovare un "
                "lavoro regolare, parlare con i medici e con le maestre dei figli. Servirebbero **corsi serali**, "
                "vicino al mercato, anche per chi parte da zero."
            ),
            supporters=("salvo.messina", "giovanna.pipitone"),
        ),
        NeedSeed(
            key="pa-giovani-lavoro",
            author="rosario.cusumano",
            neighbourhood="Sperone",
            theme="lavoro-e-occupabilita",
            title="Giovani dello Sperone senza lavoro e senza orientamento",
            body=(
                "Allo Sperone ci sono molti ragazzi tra i 18 e i 25 anni che non studiano e non lavorano. Nessuno "
                "gli ha mai spiegato come si cerca un lavoro regolare, e l'unica offerta che arriva è quella "
                "sbagliata. Un punto di orientamento nel quartiere, con tirocini veri, farebbe la differenza."
            ),
            supporters=("francesca.lupo",),
        ),
        NeedSeed(
            key="pa-barriere",
            author="salvo.messina",
            neighbourhood="Danisinni",
            theme="autonomia-anziani-disabili",
            title="Barriere architettoniche per entrare e uscire dal rione",
            location="Strade di accesso al rione dalla parte alta",
            body=(
                "Danisinni sta in una conca e per salire verso la città ci sono solo strade ripide, con "
                "marciapiedi stretti o assenti. Per chi è in carrozzina, per gli anziani e per le mamme con il "
                "passeggino uscire dal rione è un'impresa. Chiediamo **almeno un percorso accessibile** e un "
                "servizio di accompagnamento per chi non ce la fa da solo."
            ),
            supporters=("giovanna.pipitone",),
        ),
    ),
    ideas=(
        IdeaSeed(
            key="pa-scuola-sport",
            author="giovanna.pipitone",
            neighbourhood="ZEN",
            theme="educazione-cultura-sport-ambiente",
            title="Rimettere a posto il campetto dello ZEN 2 con una scuola di sport gratuita",
            summary=(
                "Sistemare il campetto tra le insule e affidarlo a un'associazione sportiva che organizzi "
                "calcio e pallavolo gratuiti per ragazze e ragazzi, con educatori del quartiere."
            ),
            beneficiaries="Ragazze e ragazzi tra 8 e 16 anni dello ZEN e delle loro famiglie.",
            estimated_cost="60000",
            body=(
                "La proposta ha due parti:\n\n"
                "- **i lavori**: fondo nuovo, reti, porte, canestro e illuminazione;\n"
                "- **le attività**: tre pomeriggi a settimana di calcio e pallavolo, con squadre miste e un "
                "torneo di quartiere a fine anno.\n\n"
                "Le famiglie si impegnano a tenere pulito il campo e a dare una mano nei tornei. Dopo un anno si "
                "può decidere se allargare l'esperienza ad altri quartieri."
            ),
            needs=("pa-campetto", "pa-dispersione"),
            voters=("salvo.messina", "francesca.lupo", "rosario.cusumano", "ibrahima.sow"),
        ),
        IdeaSeed(
            key="pa-italiano-serale",
            author="ibrahima.sow",
            neighbourhood="Ballarò",
            theme="integrazione-paesi-terzi",
            title="Scuola di italiano serale vicino al mercato, con spazio bimbi",
            summary=(
                "Corsi di italiano gratuiti tre sere a settimana in un locale vicino a Ballarò, con uno spazio "
                "per i bambini, così anche le mamme possono partecipare."
            ),
            beneficiaries=(
                "Lavoratori e lavoratrici stranieri del centro storico, in particolare di Ballarò e Albergheria."
            ),
            estimated_cost="25000",
            body=(
                "Le lezioni si tengono dalle 19 alle 21, divise per livello, con insegnanti e volontari. Mentre i "
                "genitori sono a lezione, due animatrici stanno con i bambini nella stanza accanto.\n\n"
                "Oltre alla grammatica si lavora su cose pratiche: un contratto di lavoro, una ricetta medica, un "
                "avviso della scuola. Il costo copre affitto, materiali e il compenso delle animatrici per un anno."
            ),
            needs=("pa-italiano-sera",),
            voters=("giovanna.pipitone", "salvo.messina"),
        ),
        IdeaSeed(
            key="pa-borse-litorale",
            author="rosario.cusumano",
            neighbourhood="Sperone",
            theme="lavoro-e-occupabilita",
            title="Borse lavoro per la cura del verde e della costa sud",
            summary=(
                "Venti borse lavoro di sei mesi per giovani del quartiere, per curare aree verdi e tratti di "
                "costa insieme a una cooperativa sociale, con formazione e un attestato finale."
            ),
            beneficiaries="Giovani tra 18 e 29 anni dello Sperone e di Brancaccio che non studiano e non lavorano.",
            estimated_cost="150000",
            body=(
                "I ragazzi lavorano in squadre guidate da un tutor della cooperativa: pulizia e manutenzione "
                "del verde, piccoli interventi sulla costa, raccolta differenziata. Una mattina a settimana è "
                "dedicata alla formazione su **sicurezza, curriculum e colloqui**.\n\n"
                "Alla fine dei sei mesi ognuno riceve un attestato delle competenze e viene accompagnato a "
                "cercare un lavoro, anche nelle imprese che lavorano con il Comune."
            ),
            needs=("pa-giovani-lavoro",),
            voters=("francesca.lupo",),
        ),
        IdeaSeed(
            key="pa-tutor-quartiere",
            author="francesca.lupo",
            neighbourhood="Brancaccio",
            theme="giovani-e-partecipazione",
            title="Tutor di quartiere per accompagnare i ragazzi alle superiori",
            summary=(
                "Educatori che seguono i ragazzi dall'ultimo anno delle medie al primo delle superiori, tengono i "
                "contatti con scuole e famiglie e intervengono alle prime assenze."
            ),
            beneficiaries="Ragazzi tra 13 e 16 anni di Brancaccio e le loro famiglie.",
            estimated_cost=None,
            body=(
                "Ogni tutor segue un piccolo gruppo di ragazzi e li conosce per nome. Li aiuta a scegliere la "
                "scuola, li accompagna all'iscrizione e, se smettono di andare a lezione, li cerca e parla con "
                "la famiglia.\n\n"
                "Il costo dipende da quanti ragazzi si vogliono seguire: le scuole medie del quartiere potrebbero "
                "indicare i casi più a rischio."
            ),
            needs=("pa-dispersione",),
            voters=("giovanna.pipitone",),
        ),
        IdeaSeed(
            key="pa-squadra-lavori",
            author="salvo.messina",
            neighbourhood="Danisinni",
            theme="disagio-abitativo",
            title="Una squadra di quartiere per i piccoli lavori nelle case",
            summary=(
                "Artigiani esperti e giovani in tirocinio che fanno piccoli lavori contro umidità e infiltrazioni "
                "nelle case delle famiglie più in difficoltà, pagando solo i materiali."
            ),
            beneficiaries="Famiglie con bambini e anziani che vivono in case umide o malsane a Danisinni e al Capo.",
            estimated_cost="45000",
            body=(
                "Una squadra di due artigiani e quattro ragazzi in tirocinio interviene dove c'è più bisogno: "
                "guaine sui tetti, intonaci, grondaie, pulizia della muffa. Le famiglie pagano solo i materiali, "
                "o niente se non possono.\n\n"
                "Così le case migliorano e i ragazzi imparano un mestiere."
            ),
            needs=("pa-case-umide",),
        ),
    ),
    threads={
        "pa-campetto": (
            Comment("salvo.messina", (
                "Sostengo. Anche a Danisinni i ragazzi più grandi si sono sistemati un campo da soli: quando c'è "
                "uno spazio, lo usano e lo rispettano."
            )),
            Comment("moderatrice.palermo", (
                "Grazie Giovanna, abbiamo girato la segnalazione alla Circoscrizione. Sapete se l'area è del "
                "Comune o dell'istituto case popolari? Cambia chi deve occuparsene."
            ), replies=(
                Reply("giovanna.pipitone", (
                    "Per quello che sappiamo è comunale, ma in tanti anni nessuno ce l'ha mai confermato per "
                    "iscritto."
                )),
                Reply("moderatrice.palermo", "Verifichiamo noi con gli uffici e vi aggiorniamo qui."),
            )),
        ),
        "pa-italiano-sera": (
            Comment("francesca.lupo", (
                "Sono un'insegnante in pensione: il martedì e il giovedì sera sarei disponibile a dare una mano, "
                "se si trova un locale."
            ), replies=(
                Reply("ibrahima.sow", "Grazie di cuore, Francesca! Ti aspettiamo."),
            )),
        ),
        "pa-scuola-sport": (
            Comment("rosario.cusumano", (
                "Allo Sperone abbiamo lo stesso problema. Se funziona, l'anno dopo si potrebbe fare anche da noi."
            ), replies=(
                Reply("giovanna.pipitone", "Certo, l'idea è proprio questa: partire da un campo e poi allargare."),
            )),
            Comment("moderatrice.palermo", (
                "Grazie per la proposta così dettagliata. Se un'associazione sportiva del quartiere è interessata "
                "a seguire le attività, può scriverlo qui: per la co-progettazione con il Terzo Settore è un "
                "punto importante."
            )),
        ),
        "pa-borse-litorale": (
            Comment("salvo.messina", "Mi piace. Ma 150.000 euro per quanti ragazzi?", replies=(
                Reply("rosario.cusumano", (
                    "Venti borse da sei mesi, più due tutor, la formazione e l'attrezzatura. Ho fatto i conti con "
                    "una cooperativa che lavora già sul verde."
                )),
            )),
        ),
    },
)


# --- Bologna --------------------------------------------------------------------------------------

BOLOGNA = CitySeed(
    needs=(
        NeedSeed(
            key="bo-affitti",
            author="luca.bertoni",
            neighbourhood="Bolognina",
            theme="disagio-abitativo",
            title="In Bolognina gli affitti sono fuori portata per famiglie e lavoratori",
            body=(
                "Negli ultimi anni gli affitti in Bolognina sono saliti moltissimo e tanti appartamenti sono "
                "diventati affitti brevi. Chi ha un lavoro normale fa fatica a trovare casa, e **le famiglie con "
                "figli** finiscono in una stanza o lontano dal quartiere dove lavorano e vanno a scuola. Molti "
                "proprietari lascerebbero la casa a canone concordato, ma temono di non essere pagati."
            ),
            supporters=("mei.chen", "chiara.montanari", "fatima.elamrani", "paolo.guidi"),
        ),
        NeedSeed(
            key="bo-scuola-genitori",
            author="mei.chen",
            neighbourhood="Pilastro",
            theme="integrazione-paesi-terzi",
            title="Genitori stranieri che non riescono a parlare con la scuola",
            location="Scuole della zona di via Pirandello",
            body=(
                "Al Pilastro molte famiglie parlano poco l'italiano. Ai colloqui si capisce la metà, gli avvisi "
                "arrivano solo sul registro elettronico e spesso sono i bambini a fare da interpreti ai "
                "genitori. Così le famiglie si allontanano dalla scuola proprio quando i figli avrebbero più "
                "bisogno."
            ),
            supporters=("fatima.elamrani", "chiara.montanari"),
        ),
        NeedSeed(
            key="bo-dopo-scuola-disabilita",
            author="chiara.montanari",
            neighbourhood="San Donato",
            theme="autonomia-anziani-disabili",
            title="Ragazzi con disabilità che finiscono la scuola e restano a casa",
            body=(
                "Finché vanno a scuola i ragazzi con disabilità hanno una giornata piena. Dopo il diploma, per "
                "molti non c'è più niente:\n\n"
                "- i centri diurni hanno pochi posti;\n"
                "- i tirocini sono rari e durano poco;\n"
                "- le famiglie, spesso le mamme, lasciano il lavoro per stare a casa con loro.\n\n"
                "Servono percorsi che portino verso **un'autonomia vera**, anche lavorativa."
            ),
            supporters=("mei.chen", "paolo.guidi"),
        ),
        NeedSeed(
            key="bo-titoli-studio",
            author="fatima.elamrani",
            neighbourhood="Corticella",
            theme="lavoro-e-occupabilita",
            title="Donne straniere laureate che possono fare solo lavori di pulizia",
            body=(
                "Conosco infermiere, insegnanti e ingegnere arrivate dal Marocco, dalla Tunisia o dall'Ucraina "
                "che qui fanno le pulizie o le badanti. Il titolo di studio non è riconosciuto, l'italiano scritto "
                "è ancora debole e nessuno spiega loro da dove cominciare. È un peccato per loro e anche per la "
                "città, che ha bisogno di queste professioni."
            ),
            supporters=("mei.chen",),
        ),
        NeedSeed(
            key="bo-parco-barca",
            author="paolo.guidi",
            neighbourhood="Barca",
            theme="educazione-cultura-sport-ambiente",
            title="L'area verde dietro al Treno della Barca è buia e poco vissuta",
            location="Area verde dietro al Treno della Barca",
            body=(
                "Il parco dietro al Treno di giorno è frequentato da anziani e bambini, ma appena fa buio si "
                "svuota perché l'illuminazione è scarsa. D'estate potrebbe essere il salotto del quartiere. "
                "Mancano **luci, qualche panchina in più** e soprattutto occasioni per stare insieme."
            ),
            supporters=("luca.bertoni",),
        ),
        NeedSeed(
            key="bo-stazione-nord",
            author="luca.bertoni",
            neighbourhood="Bolognina",
            theme="persone-fragili",
            title="Persone senza dimora all'uscita nord della stazione",
            location="Uscita nord della stazione, lato via de' Carracci",
            body=(
                "Sotto le pensiline dell'uscita nord dormono ogni notte diverse persone, alcune molto giovani. "
                "Gli abitanti vorrebbero aiutare ma non sanno come, e a volte nascono tensioni. Servirebbe "
                "un'informazione chiara su dove indirizzare chi ha bisogno e più presenza degli operatori di "
                "strada la sera."
            ),
            supporters=("chiara.montanari",),
        ),
    ),
    ideas=(
        IdeaSeed(
            key="bo-agenzia-casa",
            author="luca.bertoni",
            neighbourhood="Bolognina",
            theme="disagio-abitativo",
            title="Un'agenzia sociale per la casa in Bolognina, con garanzie per chi affitta",
            summary=(
                "Uno sportello di quartiere che mette in contatto proprietari e famiglie, offre un fondo di "
                "garanzia contro la morosità e accompagna gli inquilini nei primi mesi."
            ),
            beneficiaries=(
                "Famiglie e lavoratori con redditi bassi o medi che cercano casa in affitto nel Navile, e "
                "proprietari disposti ad affittare a canone concordato."
            ),
            estimated_cost="200000",
            body=(
                "Sul modello delle **agenzie sociali per la casa** già sperimentate in altre città:\n\n"
                "- uno sportello aperto tre giorni a settimana, gestito da enti del Terzo Settore;\n"
                "- un fondo di garanzia che copre i proprietari per alcune mensilità non pagate;\n"
                "- piccoli contributi per caparra e spese di ingresso;\n"
                "- un operatore che segue le famiglie nel primo anno.\n\n"
                "In cambio i proprietari si impegnano ad affittare a canone concordato per almeno tre anni."
            ),
            needs=("bo-affitti",),
            voters=("mei.chen", "chiara.montanari", "paolo.guidi", "fatima.elamrani"),
        ),
        IdeaSeed(
            key="bo-mediatori-scuola",
            author="mei.chen",
            neighbourhood="Pilastro",
            theme="integrazione-paesi-terzi",
            title="Mediatori linguistici a rotazione nelle scuole del Pilastro",
            summary=(
                "Un piccolo gruppo di mediatori che parlano cinese, arabo, urdu e rumeno, presenti a turno nelle "
                "scuole per i colloqui, le iscrizioni e le riunioni con le famiglie."
            ),
            beneficiaries="Famiglie con background migratorio e insegnanti delle scuole del Pilastro.",
            estimated_cost="35000",
            body=(
                "Le scuole segnalano in anticipo i colloqui e le riunioni in cui serve un mediatore, e un "
                "calendario condiviso organizza i turni. I mediatori traducono anche gli avvisi più importanti.\n\n"
                "Così i bambini tornano a fare i bambini, e non gli interpreti dei genitori."
            ),
            needs=("bo-scuola-genitori",),
            voters=("fatima.elamrani", "luca.bertoni"),
        ),
        IdeaSeed(
            key="bo-laboratorio-autonomia",
            author="chiara.montanari",
            neighbourhood="San Donato",
            theme="autonomia-anziani-disabili",
            title="Laboratorio diurno e tirocini protetti per giovani adulti con disabilità",
            summary=(
                "Un laboratorio di quartiere dove giovani con disabilità imparano a cucinare, gestire i soldi e "
                "muoversi in città, con tirocini protetti presso cooperative sociali."
            ),
            beneficiaries="Giovani tra 18 e 30 anni con disabilità del Quartiere San Donato-San Vitale e le loro famiglie.",
            estimated_cost="90000",
            body=(
                "Il laboratorio è aperto quattro mattine a settimana. Si lavora su **autonomia quotidiana** "
                "(spesa, cucina, uso dei mezzi pubblici) e su piccole attività produttive, come la legatoria o la "
                "cura delle piante.\n\n"
                "Chi è pronto inizia un tirocinio protetto in una cooperativa sociale, con un educatore che lo "
                "accompagna nelle prime settimane."
            ),
            needs=("bo-dopo-scuola-disabilita",),
            voters=("paolo.guidi",),
        ),
        IdeaSeed(
            key="bo-italiano-professioni",
            author="fatima.elamrani",
            neighbourhood="Corticella",
            theme="lavoro-e-occupabilita",
            title="Corsi di italiano per le professioni sanitarie",
            summary=(
                "Corsi di italiano tecnico per donne straniere che nel loro Paese lavoravano come infermiere o "
                "in altre professioni sanitarie."
            ),
            beneficiaries="Donne straniere con esperienza in ambito sanitario che vivono nel Navile.",
            estimated_cost="20000",
            body=(
                "Due corsi all'anno, di sera, con un'insegnante di italiano e un'infermiera che spiega il "
                "linguaggio dei reparti. Alla fine del corso un esame per certificare il livello raggiunto."
            ),
            needs=("bo-titoli-studio",),
            voters=("mei.chen",),
        ),
        IdeaSeed(
            key="bo-titoli-lavoro",
            author="fatima.elamrani",
            neighbourhood="Corticella",
            theme="lavoro-e-occupabilita",
            title="Italiano per il lavoro e aiuto al riconoscimento dei titoli di studio",
            summary=(
                "Corsi serali di italiano per le professioni e uno sportello che accompagna le donne straniere "
                "nelle pratiche di riconoscimento dei titoli, fino a un tirocinio nel proprio settore."
            ),
            beneficiaries=(
                "Donne straniere laureate o diplomate che vivono nel Navile e lavorano sotto le proprie "
                "competenze."
            ),
            estimated_cost="48000",
            body=(
                "Questa è la versione aggiornata della mia prima proposta, riscritta dopo i vostri commenti. "
                "Il percorso ha tre parti:\n\n"
                "1. **italiano per le professioni**: sanità, scuola, tecnica, con esame di certificazione;\n"
                "2. **sportello titoli**: una volta a settimana, per capire quali documenti servono e seguire le "
                "pratiche di riconoscimento;\n"
                "3. **tirocinio** nel proprio settore, dove possibile, con un'impresa o un ente del territorio.\n\n"
                "Un primo gruppo di 20 donne per un anno."
            ),
            needs=("bo-titoli-studio",),
            voters=("mei.chen", "chiara.montanari"),
        ),
    ),
    threads={
        "bo-affitti": (
            Comment("mei.chen", (
                "Anche al Pilastro arrivano famiglie che non trovano niente in centro. Ma poi i bambini cambiano "
                "scuola a metà anno, ed è dura."
            )),
            Comment("moderatore.bologna", (
                "Grazie Luca. La casa è uno dei temi più segnalati in città. Se conoscete esperienze di "
                "coabitazione o di garanzia sugli affitti che funzionano, raccontatele qui: sono utili per la "
                "co-programmazione."
            ), replies=(
                Reply("luca.bertoni", (
                    "Ho pubblicato una proposta di agenzia sociale per la casa collegata a questo bisogno. "
                    "Ogni suggerimento è benvenuto."
                )),
            )),
        ),
        "bo-dopo-scuola-disabilita": (
            Comment("paolo.guidi", (
                "È la situazione di mio nipote: a giugno si è diplomato e da allora sta in casa davanti al "
                "computer. Mia sorella ha chiesto il part-time per stare con lui."
            ), replies=(
                Reply("chiara.montanari", (
                    "Mi dispiace Paolo, è proprio quello che succede a tante famiglie. Se vi va, alla prossima "
                    "riunione del gruppo di genitori siete i benvenuti."
                )),
            )),
        ),
        "bo-agenzia-casa": (
            Comment("paolo.guidi", "Chi mette i soldi del fondo di garanzia? E se poi l'inquilino non paga?", replies=(
                Reply("luca.bertoni", (
                    "Il fondo lo finanzierebbe il progetto, ed è gestito dall'ente del Terzo Settore. Le esperienze "
                    "di altre città dicono che con l'accompagnamento i casi di morosità sono pochi."
                )),
            )),
        ),
        "bo-italiano-professioni": (
            Comment("chiara.montanari", (
                "Bella proposta! Spesso però non basta la lingua: se il titolo non è riconosciuto, anche con un "
                "ottimo italiano non si può lavorare come infermiera. Si potrebbe aggiungere un aiuto per il "
                "riconoscimento?"
            ), replies=(
                Reply("fatima.elamrani", (
                    "Hai ragione, Chiara. La proposta non si può più modificare dopo i primi voti, quindi la "
                    "ritiro e ne pubblico una versione più completa."
                )),
            )),
        ),
        "bo-titoli-lavoro": (
            Comment("moderatore.bologna", (
                "Grazie Fatima per aver riscritto la proposta tenendo conto dei commenti: è esattamente lo "
                "spirito della piattaforma."
            )),
        ),
    },
    withdrawn=("bo-italiano-professioni",),
)


DEMO_CITIES: dict[str, CitySeed] = {"torino": TORINO, "palermo": PALERMO, "bologna": BOLOGNA}
