// What each property of an item or account is called in the "All fields" section, in every
// language of the UI: the words Exact Online uses where it has them.
//
// Every property of crates/exact-fields/data/{Items,Accounts}.json has a label here;
// `fieldLabels.test.ts` fails when one is missing, left in English, or names a property the
// lists do not have. Free fields and item classes are named by pattern with their number. A
// property Exact adds later falls back to its name made readable (`humanise`).

import type { Lang } from '$lib/i18n.svelte';
import { humanise } from './attributes';
import type { FieldEntity, Label } from './valueTable';

/** The entities whose properties are labelled one by one. */
export type LabelledEntity = 'Items' | 'Accounts';

/**
 * Labels in table order: English, Dutch, French, German. The tables keep one property a line
 * (prettier-ignore), so that a property's four labels are read side by side.
 */
type Row = readonly [en: string, nl: string, fr: string, de: string];

// Properties both entities have.
// prettier-ignore
const COMMON: Readonly<Record<string, Row>> = {
  Code: ['Code', 'Code', 'Code', 'Code'],
  Created: ['Created', 'Aangemaakt', 'Créé le', 'Erstellt am'],
  Creator: ['Created by', 'Aangemaakt door', 'Créé par', 'Erstellt von'],
  CreatorFullName: ['Creator name', 'Naam aanmaker', 'Nom du créateur', 'Name Ersteller'],
  CustomField: ['Custom field', 'Eigen veld', 'Champ personnalisé', 'Benutzerdefiniertes Feld'],
  Division: ['Division', 'Administratie', 'Dossier', 'Administration'],
  EndDate: ['End date', 'Einddatum', 'Date de fin', 'Enddatum'],
  ID: ['Record ID', 'Record-ID', 'Identifiant', 'Datensatz-ID'],
  Modified: ['Last modified', 'Laatst gewijzigd', 'Dernière modification', 'Zuletzt geändert'],
  Modifier: ['Modified by', 'Gewijzigd door', 'Modifié par', 'Geändert von'],
  ModifierFullName: ['Modifier name', 'Naam wijziger', 'Nom du modificateur', 'Name Bearbeiter'],
  SearchCode: ['Search code', 'Zoekcode', 'Code de recherche', 'Suchcode'],
  SecurityLevel: ['Security level', 'Beveiligingsniveau', 'Niveau de sécurité', 'Sicherheitsstufe'],
  StartDate: ['Start date', 'Begindatum', 'Date de début', 'Startdatum'],
  Timestamp: ['Row version', 'Rijversie', 'Version de ligne', 'Zeilenversion'],
};

// prettier-ignore
const ITEMS: Readonly<Record<string, Row>> = {
  ...COMMON,
  AssembledLeadDays: ['Assembly lead time (days)', 'Levertijd assemblage (dagen)', 'Délai d’assemblage (jours)', 'Montagevorlaufzeit (Tage)'],
  AverageCost: ['Average cost price', 'Gemiddelde kostprijs', 'Prix de revient moyen', 'Durchschnittlicher Einstandspreis'],
  Barcode: ['Barcode', 'Barcode', 'Code-barres', 'Barcode'],
  BatchQuantity: ['Batch quantity', 'Batchgrootte', 'Taille de lot', 'Losgröße'],
  CopyRemarks: ['Copy remarks', 'Opmerkingen kopiëren', 'Copier les remarques', 'Bemerkungen kopieren'],
  CostPriceCurrency: ['Cost price currency', 'Valuta kostprijs', 'Devise du prix de revient', 'Währung Einstandspreis'],
  CostPriceNew: ['New cost price', 'Nieuwe kostprijs', 'Nouveau prix de revient', 'Neuer Einstandspreis'],
  CostPriceStandard: ['Standard cost price', 'Standaard kostprijs', 'Prix de revient standard', 'Standardkostenpreis'],
  Description: ['Description', 'Omschrijving', 'Description', 'Beschreibung'],
  ExtraDescription: ['Extra description', 'Extra omschrijving', 'Description complémentaire', 'Zusätzliche Beschreibung'],
  GLCosts: ['Cost G/L account', 'Grootboekrekening kosten', 'Compte de charges', 'Aufwandskonto'],
  GLCostsCode: ['Cost G/L account code', 'Code grootboekrekening kosten', 'Code du compte de charges', 'Code Aufwandskonto'],
  GLCostsDescription: ['Cost G/L account description', 'Omschrijving grootboekrekening kosten', 'Description du compte de charges', 'Beschreibung Aufwandskonto'],
  GLCostsWorkInProgress: ['WIP cost G/L account', 'Grootboekrekening kosten OHW', 'Compte de charges en-cours', 'Aufwandskonto unfertige Leistungen'],
  GLCostsWorkInProgressCode: ['WIP cost G/L account code', 'Code grootboekrekening kosten OHW', 'Code du compte de charges en-cours', 'Code Aufwandskonto unfertige Leistungen'],
  GLCostsWorkInProgressDescription: ['WIP cost G/L account description', 'Omschrijving grootboekrekening kosten OHW', 'Description du compte de charges en-cours', 'Beschreibung Aufwandskonto unfertige Leistungen'],
  GLRevenue: ['Revenue G/L account', 'Grootboekrekening omzet', 'Compte de produits', 'Erlöskonto'],
  GLRevenueCode: ['Revenue G/L account code', 'Code grootboekrekening omzet', 'Code du compte de produits', 'Code Erlöskonto'],
  GLRevenueDescription: ['Revenue G/L account description', 'Omschrijving grootboekrekening omzet', 'Description du compte de produits', 'Beschreibung Erlöskonto'],
  GLRevenueWorkInProgress: ['WIP revenue G/L account', 'Grootboekrekening omzet OHW', 'Compte de produits en-cours', 'Erlöskonto unfertige Leistungen'],
  GLRevenueWorkInProgressCode: ['WIP revenue G/L account code', 'Code grootboekrekening omzet OHW', 'Code du compte de produits en-cours', 'Code Erlöskonto unfertige Leistungen'],
  GLRevenueWorkInProgressDescription: ['WIP revenue G/L account description', 'Omschrijving grootboekrekening omzet OHW', 'Description du compte de produits en-cours', 'Beschreibung Erlöskonto unfertige Leistungen'],
  GLStock: ['Stock G/L account', 'Grootboekrekening voorraad', 'Compte de stock', 'Bestandskonto'],
  GLStockCode: ['Stock G/L account code', 'Code grootboekrekening voorraad', 'Code du compte de stock', 'Code Bestandskonto'],
  GLStockDescription: ['Stock G/L account description', 'Omschrijving grootboekrekening voorraad', 'Description du compte de stock', 'Beschreibung Bestandskonto'],
  GrossWeight: ['Gross weight', 'Brutogewicht', 'Poids brut', 'Bruttogewicht'],
  IsBatchItem: ['Batch item', 'Batchartikel', 'Article géré par lot', 'Chargenartikel'],
  IsFractionAllowedItem: ['Fractions allowed', 'Fracties toegestaan', 'Fractions autorisées', 'Bruchteile erlaubt'],
  IsMakeItem: ['Make item', 'Maakartikel', 'Article fabriqué', 'Fertigungsartikel'],
  IsNewContract: ['New contract', 'Nieuw contract', 'Nouveau contrat', 'Neuer Vertrag'],
  IsOnDemandItem: ['On-demand item', 'Artikel op aanvraag', 'Article à la demande', 'Artikel auf Abruf'],
  IsPackageItem: ['Package item', 'Pakketartikel', 'Article forfait', 'Paketartikel'],
  IsPurchaseItem: ['Purchase item', 'Inkoopartikel', 'Article d’achat', 'Einkaufsartikel'],
  IsRegistrationCodeItem: ['Registration code item', 'Registratiecode-artikel', 'Article à code d’enregistrement', 'Registrierungscode-Artikel'],
  IsSalesItem: ['Sales item', 'Verkoopartikel', 'Article de vente', 'Verkaufsartikel'],
  IsSerialItem: ['Serial number item', 'Serienummerartikel', 'Article à numéro de série', 'Seriennummernartikel'],
  IsStockItem: ['Stock item', 'Voorraadartikel', 'Article stocké', 'Lagerartikel'],
  IsSubcontractedItem: ['Subcontracted item', 'Uitbesteed artikel', 'Article sous-traité', 'Fremdvergebener Artikel'],
  IsTaxableItem: ['Taxable', 'Belastbaar', 'Soumis à la taxe', 'Steuerpflichtig'],
  IsTime: ['Time item', 'Tijdartikel', 'Article de temps', 'Zeitartikel'],
  IsWebshopItem: ['Webshop item', 'Webshopartikel', 'Article de boutique en ligne', 'Webshop-Artikel'],
  ItemGroup: ['Item group', 'Artikelgroep', 'Groupe d’articles', 'Artikelgruppe'],
  ItemGroupCode: ['Item group code', 'Code artikelgroep', 'Code du groupe d’articles', 'Code Artikelgruppe'],
  ItemGroupDescription: ['Item group description', 'Omschrijving artikelgroep', 'Description du groupe d’articles', 'Beschreibung Artikelgruppe'],
  NetWeight: ['Net weight', 'Nettogewicht', 'Poids net', 'Nettogewicht'],
  NetWeightUnit: ['Net weight unit', 'Eenheid nettogewicht', 'Unité du poids net', 'Einheit Nettogewicht'],
  Notes: ['Notes', 'Notities', 'Notes', 'Notizen'],
  Picture: ['Picture', 'Afbeelding', 'Image', 'Bild'],
  PictureName: ['Picture file name', 'Bestandsnaam afbeelding', 'Nom du fichier image', 'Dateiname Bild'],
  PictureThumbnailUrl: ['Picture thumbnail URL', 'URL miniatuur afbeelding', 'URL de la miniature', 'URL Miniaturbild'],
  PictureUrl: ['Picture URL', 'URL afbeelding', 'URL de l’image', 'Bild-URL'],
  SalesVatCode: ['Sales VAT code', 'Btw-code verkoop', 'Code TVA vente', 'Steuercode Verkauf'],
  SalesVatCodeDescription: ['Sales VAT code description', 'Omschrijving btw-code verkoop', 'Description du code TVA vente', 'Beschreibung Steuercode Verkauf'],
  StatisticalCode: ['Statistical code', 'Statistische code', 'Code statistique', 'Statistische Warennummer'],
  StatisticalNetWeight: ['Statistical net weight', 'Statistisch nettogewicht', 'Poids net statistique', 'Statistisches Nettogewicht'],
  StatisticalUnits: ['Statistical units', 'Statistische eenheden', 'Unités statistiques', 'Statistische Einheiten'],
  StatisticalValue: ['Statistical value', 'Statistische waarde', 'Valeur statistique', 'Statistischer Wert'],
  Stock: ['Stock', 'Voorraad', 'Stock', 'Bestand'],
  Unit: ['Unit', 'Eenheid', 'Unité', 'Einheit'],
  UnitDescription: ['Unit description', 'Omschrijving eenheid', 'Description de l’unité', 'Beschreibung Einheit'],
  UnitType: ['Unit type', 'Eenheidstype', 'Type d’unité', 'Einheitentyp'],
  UseExplosion: ['Explode at delivery', 'Exploderen bij levering', 'Éclater à la livraison', 'Bei Lieferung auflösen'],
};

// prettier-ignore
const ACCOUNTS: Readonly<Record<string, Row>> = {
  ...COMMON,
  Accountant: ['Accountant', 'Accountant', 'Expert-comptable', 'Steuerberater'],
  AccountManager: ['Account manager', 'Accountmanager', 'Gestionnaire de compte', 'Kundenbetreuer'],
  AccountManagerFullName: ['Account manager name', 'Naam accountmanager', 'Nom du gestionnaire de compte', 'Name Kundenbetreuer'],
  AccountManagerHID: ['Account manager number', 'Nummer accountmanager', 'Numéro du gestionnaire de compte', 'Nummer Kundenbetreuer'],
  ActivitySector: ['Sector', 'Branche', 'Secteur d’activité', 'Branche'],
  ActivitySubSector: ['Subsector', 'Subbranche', 'Sous-secteur', 'Unterbranche'],
  AddressLine1: ['Address line 1', 'Adresregel 1', 'Ligne d’adresse 1', 'Adresszeile 1'],
  AddressLine2: ['Address line 2', 'Adresregel 2', 'Ligne d’adresse 2', 'Adresszeile 2'],
  AddressLine3: ['Address line 3', 'Adresregel 3', 'Ligne d’adresse 3', 'Adresszeile 3'],
  AddressSource: ['Address source', 'Bron adres', 'Origine de l’adresse', 'Adressquelle'],
  AutomaticProcessProposedEntry: ['Process entry proposals automatically', 'Boekingsvoorstellen automatisch verwerken', 'Traiter automatiquement les propositions d’écriture', 'Buchungsvorschläge automatisch verarbeiten'],
  BankAccounts: ['Bank accounts', 'Bankrekeningen', 'Comptes bancaires', 'Bankkonten'],
  Blocked: ['Blocked', 'Geblokkeerd', 'Bloqué', 'Gesperrt'],
  BRIN: ['BRIN number', 'BRIN-nummer', 'Numéro BRIN', 'BRIN-Nummer'],
  BSN: ['Citizen service number (BSN)', 'Burgerservicenummer', 'Numéro BSN', 'Bürgerservicenummer (BSN)'],
  BusinessType: ['Business type', 'Bedrijfstype', 'Type d’entreprise', 'Unternehmenstyp'],
  CanDropShip: ['Drop shipment allowed', 'Direct leveren toegestaan', 'Livraison directe autorisée', 'Streckengeschäft erlaubt'],
  ChamberOfCommerce: ['Chamber of Commerce number', 'KvK-nummer', 'Numéro de registre du commerce', 'Handelsregisternummer'],
  City: ['City', 'Plaats', 'Ville', 'Ort'],
  Classification: ['Classification', 'Classificatie', 'Classification', 'Klassifizierung'],
  Classification1: ['Account classification 1', 'Relatieclassificatie 1', 'Classification de relation 1', 'Relationsklassifizierung 1'],
  Classification2: ['Account classification 2', 'Relatieclassificatie 2', 'Classification de relation 2', 'Relationsklassifizierung 2'],
  Classification3: ['Account classification 3', 'Relatieclassificatie 3', 'Classification de relation 3', 'Relationsklassifizierung 3'],
  Classification4: ['Account classification 4', 'Relatieclassificatie 4', 'Classification de relation 4', 'Relationsklassifizierung 4'],
  Classification5: ['Account classification 5', 'Relatieclassificatie 5', 'Classification de relation 5', 'Relationsklassifizierung 5'],
  Classification6: ['Account classification 6', 'Relatieclassificatie 6', 'Classification de relation 6', 'Relationsklassifizierung 6'],
  Classification7: ['Account classification 7', 'Relatieclassificatie 7', 'Classification de relation 7', 'Relationsklassifizierung 7'],
  Classification8: ['Account classification 8', 'Relatieclassificatie 8', 'Classification de relation 8', 'Relationsklassifizierung 8'],
  ClassificationDescription: ['Classification description', 'Omschrijving classificatie', 'Description de la classification', 'Beschreibung Klassifizierung'],
  CodeAtSupplier: ['Code at supplier', 'Code bij leverancier', 'Code chez le fournisseur', 'Code beim Lieferanten'],
  CompanySize: ['Company size', 'Bedrijfsgrootte', 'Taille de l’entreprise', 'Unternehmensgröße'],
  ConsolidationScenario: ['Invoice consolidation', 'Facturen samenvoegen', 'Regroupement des factures', 'Rechnungszusammenfassung'],
  ControlledDate: ['Last checked', 'Laatst gecontroleerd', 'Dernière vérification', 'Zuletzt geprüft'],
  Costcenter: ['Cost center', 'Kostenplaats', 'Centre de coûts', 'Kostenstelle'],
  CostcenterDescription: ['Cost center description', 'Omschrijving kostenplaats', 'Description du centre de coûts', 'Beschreibung Kostenstelle'],
  CostPaid: ['Cost paid', 'Kosten betaald', 'Frais payés', 'Kosten bezahlt'],
  Country: ['Country', 'Land', 'Pays', 'Land'],
  CountryName: ['Country name', 'Naam land', 'Nom du pays', 'Name Land'],
  CreditLinePurchase: ['Purchase credit limit', 'Kredietlimiet inkoop', 'Limite de crédit achat', 'Kreditlimit Einkauf'],
  CreditLineSales: ['Sales credit limit', 'Kredietlimiet verkoop', 'Limite de crédit vente', 'Kreditlimit Verkauf'],
  Currency: ['Currency', 'Valuta', 'Devise', 'Währung'],
  CustomerSince: ['Customer since', 'Klant sinds', 'Client depuis', 'Kunde seit'],
  DatevCreditorCode: ['DATEV creditor code', 'DATEV-crediteurcode', 'Code fournisseur DATEV', 'DATEV-Kreditorennummer'],
  DatevDebtorCode: ['DATEV debtor code', 'DATEV-debiteurcode', 'Code client DATEV', 'DATEV-Debitorennummer'],
  DeliveryAdvice: ['Delivery advice', 'Leveringsadvies', 'Instruction de livraison', 'Lieferhinweis'],
  DiscountPurchase: ['Purchase discount', 'Korting inkoop', 'Remise achat', 'Rabatt Einkauf'],
  DiscountSales: ['Sales discount', 'Korting verkoop', 'Remise vente', 'Rabatt Verkauf'],
  Document: ['Linked document', 'Gekoppeld document', 'Document lié', 'Verknüpftes Dokument'],
  DunsNumber: ['D-U-N-S number', 'D-U-N-S-nummer', 'Numéro D-U-N-S', 'D-U-N-S-Nummer'],
  Email: ['E-mail', 'E-mail', 'E-mail', 'E-Mail'],
  EnableSalesPaymentLink: ['Sales payment link', 'Betaallink verkoop', 'Lien de paiement vente', 'Zahlungslink Verkauf'],
  EORINumber: ['EORI number', 'EORI-nummer', 'Numéro EORI', 'EORI-Nummer'],
  EstablishedDate: ['Date established', 'Oprichtingsdatum', 'Date de fondation', 'Gründungsdatum'],
  Fax: ['Fax number', 'Faxnummer', 'Numéro de fax', 'Faxnummer'],
  GLAccountPurchase: ['Purchase G/L account', 'Grootboekrekening inkoop', 'Compte général d’achat', 'Sachkonto Einkauf'],
  GLAccountSales: ['Sales G/L account', 'Grootboekrekening verkoop', 'Compte général de vente', 'Sachkonto Verkauf'],
  GLAP: ['Accounts payable G/L account', 'Grootboekrekening crediteuren', 'Compte fournisseurs', 'Sachkonto Kreditoren'],
  GLAR: ['Accounts receivable G/L account', 'Grootboekrekening debiteuren', 'Compte clients', 'Sachkonto Debitoren'],
  GlnNumber: ['GLN number', 'GLN-nummer', 'Numéro GLN', 'GLN-Nummer'],
  HasWithholdingTaxSales: ['Withholding tax on sales', 'Inhoudingsbelasting verkoop', 'Retenue à la source sur les ventes', 'Quellensteuer Verkauf'],
  IgnoreDatevWarningMessage: ['Ignore DATEV warning', 'DATEV-waarschuwing negeren', 'Ignorer l’avertissement DATEV', 'DATEV-Warnung ignorieren'],
  IncotermAddressPurchase: ['Purchase Incoterm place', 'Incoterm-plaats inkoop', 'Lieu Incoterm achat', 'Incoterm-Ort Einkauf'],
  IncotermAddressSales: ['Sales Incoterm place', 'Incoterm-plaats verkoop', 'Lieu Incoterm vente', 'Incoterm-Ort Verkauf'],
  IncotermCodePurchase: ['Purchase Incoterm', 'Incoterm inkoop', 'Incoterm achat', 'Incoterm Einkauf'],
  IncotermCodeSales: ['Sales Incoterm', 'Incoterm verkoop', 'Incoterm vente', 'Incoterm Verkauf'],
  IncotermVersionPurchase: ['Purchase Incoterm version', 'Incoterm-versie inkoop', 'Version Incoterm achat', 'Incoterm-Version Einkauf'],
  IncotermVersionSales: ['Sales Incoterm version', 'Incoterm-versie verkoop', 'Version Incoterm vente', 'Incoterm-Version Verkauf'],
  IntraStatArea: ['Intrastat area', 'Intrastat-gebied', 'Zone Intrastat', 'Intrastat-Gebiet'],
  IntraStatDeliveryTerm: ['Intrastat delivery term', 'Intrastat-leveringsvoorwaarde', 'Condition de livraison Intrastat', 'Intrastat-Lieferbedingung'],
  IntraStatSystem: ['Intrastat system', 'Intrastat-stelsel', 'Régime Intrastat', 'Intrastat-Verfahren'],
  IntraStatTransactionA: ['Intrastat transaction type A', 'Intrastat-transactiesoort A', 'Nature de transaction Intrastat A', 'Intrastat-Geschäftsart A'],
  IntraStatTransactionB: ['Intrastat transaction type B', 'Intrastat-transactiesoort B', 'Nature de transaction Intrastat B', 'Intrastat-Geschäftsart B'],
  IntraStatTransportMethod: ['Intrastat transport mode', 'Intrastat-vervoerswijze', 'Mode de transport Intrastat', 'Intrastat-Verkehrszweig'],
  InvoiceAccount: ['Invoice to', 'Factureren aan', 'Facturer à', 'Rechnung an'],
  InvoiceAccountCode: ['Invoice-to code', 'Code factureren aan', 'Code facturer à', 'Code Rechnung an'],
  InvoiceAccountName: ['Invoice-to name', 'Naam factureren aan', 'Nom facturer à', 'Name Rechnung an'],
  InvoiceAttachmentType: ['Invoice attachments', 'Factuurbijlagen', 'Pièces jointes des factures', 'Rechnungsanhänge'],
  InvoicingMethod: ['Invoice delivery method', 'Verzendmethode factuur', 'Mode d’envoi des factures', 'Rechnungsversandart'],
  IsAccountant: ['Accountancy firm', 'Accountantskantoor', 'Cabinet comptable', 'Steuerberatungskanzlei'],
  IsAgency: ['Agency', 'Agentschap', 'Agence', 'Agentur'],
  IsAnonymised: ['Anonymised', 'Geanonimiseerd', 'Anonymisé', 'Anonymisiert'],
  IsBank: ['Is a bank', 'Is een bank', 'Est une banque', 'Ist eine Bank'],
  IsCompetitor: ['Competitor', 'Concurrent', 'Concurrent', 'Wettbewerber'],
  IsExtraDuty: ['Extra duty', 'Extra heffing', 'Droit supplémentaire', 'Zusatzabgabe'],
  IsMailing: ['Excluded from mailings', 'Uitgesloten van mailings', 'Exclu des mailings', 'Von Mailings ausgeschlossen'],
  IsMember: ['Member', 'Lid', 'Membre', 'Mitglied'],
  IsPilot: ['Pilot account', 'Pilotrelatie', 'Relation pilote', 'Pilotrelation'],
  IsPurchase: ['Purchase', 'Inkoop', 'Achat', 'Einkauf'],
  IsReseller: ['Is a reseller', 'Is wederverkoper', 'Est revendeur', 'Ist Wiederverkäufer'],
  IsSales: ['Sales (customer)', 'Verkoop (klant)', 'Vente (client)', 'Verkauf (Kunde)'],
  IsSupplier: ['Supplier', 'Leverancier', 'Fournisseur', 'Lieferant'],
  Language: ['Language', 'Taal', 'Langue', 'Sprache'],
  LanguageDescription: ['Language description', 'Omschrijving taal', 'Description de la langue', 'Beschreibung Sprache'],
  Latitude: ['Latitude', 'Breedtegraad', 'Latitude', 'Breitengrad'],
  LeadPurpose: ['Lead purpose', 'Doel lead', 'Objectif du prospect', 'Lead-Zweck'],
  LeadSource: ['Lead source', 'Bron lead', 'Source du prospect', 'Lead-Quelle'],
  Logo: ['Logo image', 'Logo-afbeelding', 'Image du logo', 'Logobild'],
  LogoFileName: ['Logo file name', 'Bestandsnaam logo', 'Nom du fichier du logo', 'Dateiname Logo'],
  LogoThumbnailUrl: ['Logo thumbnail URL', 'URL miniatuur logo', 'URL de la miniature du logo', 'URL Logo-Miniatur'],
  LogoUrl: ['Logo URL', 'URL logo', 'URL du logo', 'Logo-URL'],
  Longitude: ['Longitude', 'Lengtegraad', 'Longitude', 'Längengrad'],
  MainContact: ['Main contact', 'Hoofdcontactpersoon', 'Contact principal', 'Hauptkontakt'],
  Name: ['Name', 'Naam', 'Nom', 'Name'],
  OINNumber: ['OIN number', 'OIN-nummer', 'Numéro OIN', 'OIN-Nummer'],
  Parent: ['Parent account', 'Moederrelatie', 'Relation mère', 'Übergeordnete Relation'],
  PayAsYouEarn: ['PAYE (UK)', 'PAYE (VK)', 'PAYE (R.-U.)', 'PAYE (GB)'],
  PaymentConditionPurchase: ['Purchase payment condition', 'Betalingsconditie inkoop', 'Condition de paiement achat', 'Zahlungsbedingung Einkauf'],
  PaymentConditionPurchaseDescription: ['Purchase payment condition description', 'Omschrijving betalingsconditie inkoop', 'Description de la condition de paiement achat', 'Beschreibung Zahlungsbedingung Einkauf'],
  PaymentConditionSales: ['Sales payment condition', 'Betalingsconditie verkoop', 'Condition de paiement vente', 'Zahlungsbedingung Verkauf'],
  PaymentConditionSalesDescription: ['Sales payment condition description', 'Omschrijving betalingsconditie verkoop', 'Description de la condition de paiement vente', 'Beschreibung Zahlungsbedingung Verkauf'],
  PeppolIdentifier: ['Peppol identifier', 'Peppol-ID', 'Identifiant Peppol', 'Peppol-ID'],
  PeppolIdentifierType: ['Peppol identifier type', 'Type Peppol-ID', 'Type d’identifiant Peppol', 'Peppol-ID-Typ'],
  Phone: ['Phone', 'Telefoon', 'Téléphone', 'Telefon'],
  PhoneExtension: ['Phone extension', 'Toestelnummer', 'Poste', 'Durchwahl'],
  Postcode: ['Postal code', 'Postcode', 'Code postal', 'Postleitzahl'],
  PriceList: ['Price list', 'Prijslijst', 'Liste de prix', 'Preisliste'],
  PurchaseCurrency: ['Purchase currency', 'Valuta inkoop', 'Devise achat', 'Währung Einkauf'],
  PurchaseCurrencyDescription: ['Purchase currency description', 'Omschrijving valuta inkoop', 'Description de la devise achat', 'Beschreibung Währung Einkauf'],
  PurchaseLeadDays: ['Purchase lead time (days)', 'Levertijd inkoop (dagen)', 'Délai d’achat (jours)', 'Lieferzeit Einkauf (Tage)'],
  PurchaseVATCode: ['Purchase VAT code', 'Btw-code inkoop', 'Code TVA achat', 'Steuercode Einkauf'],
  PurchaseVATCodeDescription: ['Purchase VAT code description', 'Omschrijving btw-code inkoop', 'Description du code TVA achat', 'Beschreibung Steuercode Einkauf'],
  RecepientOfCommissions: ['Commission recipient (Belcotax)', 'Ontvanger commissielonen (Belcotax)', 'Bénéficiaire de commissions (Belcotax)', 'Provisionsempfänger (Belcotax)'],
  Remarks: ['Remarks', 'Opmerkingen', 'Remarques', 'Bemerkungen'],
  Reseller: ['Reseller', 'Wederverkoper', 'Revendeur', 'Wiederverkäufer'],
  ResellerCode: ['Reseller code', 'Code wederverkoper', 'Code du revendeur', 'Code Wiederverkäufer'],
  ResellerName: ['Reseller name', 'Naam wederverkoper', 'Nom du revendeur', 'Name Wiederverkäufer'],
  RSIN: ['RSIN', 'RSIN-nummer', 'Numéro RSIN', 'RSIN-Nummer'],
  SalesCurrency: ['Sales currency', 'Valuta verkoop', 'Devise vente', 'Währung Verkauf'],
  SalesCurrencyDescription: ['Sales currency description', 'Omschrijving valuta verkoop', 'Description de la devise vente', 'Beschreibung Währung Verkauf'],
  SalesTaxSchedule: ['Sales tax schedule', 'Belastingschema verkoop', 'Barème de taxe vente', 'Steuerschema Verkauf'],
  SalesTaxScheduleCode: ['Sales tax schedule code', 'Code belastingschema verkoop', 'Code du barème de taxe vente', 'Code Steuerschema Verkauf'],
  SalesTaxScheduleDescription: ['Sales tax schedule description', 'Omschrijving belastingschema verkoop', 'Description du barème de taxe vente', 'Beschreibung Steuerschema Verkauf'],
  SalesVATCode: ['Sales VAT code', 'Btw-code verkoop', 'Code TVA vente', 'Steuercode Verkauf'],
  SalesVATCodeDescription: ['Sales VAT code description', 'Omschrijving btw-code verkoop', 'Description du code TVA vente', 'Beschreibung Steuercode Verkauf'],
  SeparateInvPerProject: ['Separate invoice per project', 'Aparte factuur per project', 'Facture séparée par projet', 'Separate Rechnung pro Projekt'],
  SeparateInvPerSubscription: ['Separate invoice per subscription', 'Aparte factuur per abonnement', 'Facture séparée par abonnement', 'Separate Rechnung pro Abonnement'],
  ShippingLeadDays: ['Shipping lead time (days)', 'Levertijd verzending (dagen)', 'Délai d’expédition (jours)', 'Versandvorlaufzeit (Tage)'],
  ShippingMethod: ['Shipping method', 'Verzendwijze', 'Mode d’expédition', 'Versandart'],
  ShowRemarkForSales: ['Show remarks in sales', 'Opmerkingen tonen bij verkoop', 'Afficher les remarques en vente', 'Bemerkungen im Verkauf anzeigen'],
  Source: ['Source', 'Bron', 'Origine', 'Quelle'],
  State: ['State/province', 'Provincie', 'État/province', 'Bundesland/Provinz'],
  StateName: ['State/province name', 'Naam provincie', 'Nom de l’État/province', 'Name Bundesland/Provinz'],
  Status: ['Status', 'Status', 'Statut', 'Status'],
  StatusSince: ['Status since', 'Status sinds', 'Statut depuis', 'Status seit'],
  TradeName: ['Trade name', 'Handelsnaam', 'Nom commercial', 'Handelsname'],
  Type: ['Account type', 'Relatietype', 'Type de relation', 'Relationstyp'],
  UniqueTaxpayerReference: ['Unique Taxpayer Reference (UTR)', 'Belastingreferentie (UTR)', 'Référence fiscale unique (UTR)', 'Steuerreferenznummer (UTR)'],
  VATLiability: ['VAT liability', 'Btw-plicht', 'Assujettissement à la TVA', 'USt-Pflicht'],
  VATNumber: ['VAT number', 'Btw-nummer', 'Numéro de TVA', 'USt-IdNr.'],
  Website: ['Website', 'Website', 'Site web', 'Website'],
};

function labels(rows: Readonly<Record<string, Row>>): Record<string, Label> {
  const out: Record<string, Label> = {};
  for (const [name, [en, nl, fr, de]] of Object.entries(rows)) out[name] = { en, nl, fr, de };
  return out;
}

/** Labels of the properties named one by one (free fields and item classes go by pattern). */
export const FIELD_LABELS: Readonly<Record<LabelledEntity, Readonly<Record<string, Label>>>> = {
  Items: labels(ITEMS),
  Accounts: labels(ACCOUNTS),
};

/** Free fields by kind: `FreeTextField_01` → "Free text field 1". */
const FREE_FIELD = /^Free(Text|Bool|Date|Number)Field_(\d+)$/;
// prettier-ignore
const FREE_KINDS: Readonly<Record<string, Row>> = {
  Text: ['Free text field {n}', 'Vrij tekstveld {n}', 'Champ texte libre {n}', 'Freies Textfeld {n}'],
  Bool: ['Free yes/no field {n}', 'Vrij ja/nee-veld {n}', 'Champ oui/non libre {n}', 'Freies Ja/Nein-Feld {n}'],
  Date: ['Free date field {n}', 'Vrij datumveld {n}', 'Champ date libre {n}', 'Freies Datumsfeld {n}'],
  Number: ['Free number field {n}', 'Vrij numeriek veld {n}', 'Champ numérique libre {n}', 'Freies Zahlenfeld {n}'],
};
/** Item classes `Class_01`…`Class_10`. */
const ITEM_CLASS = /^Class_(\d+)$/;
const ITEM_CLASS_ROW: Row = ['Item class {n}', 'Artikelklasse {n}', 'Classe d’article {n}', 'Artikelklasse {n}'];

function numbered([en, nl, fr, de]: Row, digits: string): Label {
  const n = String(Number(digits));
  return {
    en: en.replace('{n}', n),
    nl: nl.replace('{n}', n),
    fr: fr.replace('{n}', n),
    de: de.replace('{n}', n),
  };
}

/**
 * A property's label in every language, or undefined when the app has none for it. Free
 * fields are named by pattern for any entity; other entities have no table of their own.
 */
export function fieldLabels(entity: FieldEntity, name: string): Label | undefined {
  const table = entity === 'Items' || entity === 'Accounts' ? FIELD_LABELS[entity] : {};
  if (Object.hasOwn(table, name)) return table[name];
  const free = FREE_FIELD.exec(name);
  if (free) return numbered(FREE_KINDS[free[1] ?? ''] as Row, free[2] ?? '');
  const itemClass = entity === 'Items' ? ITEM_CLASS.exec(name) : null;
  if (itemClass) return numbered(ITEM_CLASS_ROW, itemClass[1] ?? '');
  return undefined;
}

/**
 * What a property is called in `lang`; a property without a label (one Exact added later) is
 * shown by its name made readable.
 */
export function fieldLabel(entity: FieldEntity, name: string, lang: Lang): string {
  return fieldLabels(entity, name)?.[lang] ?? humanise(name);
}
