package i18n

// webBatches: the CSV import of a group.
var webBatches = map[string][2]string{
	"batch_import_title":   {"Importer une liste (CSV)", "Import a list (CSV)"},
	"batch_import_hint":    {"Une ligne par personne : nom, contact et notes facultatifs, puis un niveau par compétence (vide : non évalué). UTF-8 ou Windows-1252 (Excel), séparateur « ; » ou « , ».", "One row per person: name, optional contact and notes, then a level per competency (empty: not assessed). UTF-8 or Windows-1252 (Excel), “;” or “,” separated."},
	"batch_template":       {"Télécharger le modèle CSV de ce référentiel", "Download this framework's CSV template"},
	"batch_file":           {"Fichier CSV (50 Mo au plus)", "CSV file (50 MB at most)"},
	"batch_upload":         {"Vérifier le fichier", "Check the file"},
	"batch_title":          {"Import CSV", "CSV import"},
	"batch_preview":        {"%d ligne(s) valable(s) sur %d. Rien n'est encore délivré.", "%d valid row(s) of %d. Nothing is issued yet."},
	"batch_start":          {"Délivrer les lignes valables", "Issue the valid rows"},
	"batch_row":            {"Ligne", "Row"},
	"batch_result":         {"Résultat", "Result"},
	"batch_row_valid":      {"valable", "valid"},
	"batch_errors_csv":     {"Télécharger les lignes refusées (CSV)", "Download the refused rows (CSV)"},
	"batch_no_file":        {"Choisissez un fichier CSV.", "Choose a CSV file."},
	"batch_status_pending": {"à confirmer", "to confirm"},
	"batch_status_running": {"en cours", "running"},
	"batch_status_done":    {"terminé", "done"},
	"batch_status_failed":  {"arrêté", "stopped"},
	"batch_status":         {"État", "Status"},
	"batch_preview_expiry": {"Cet aperçu est gardé %s après l'envoi du fichier ; passé ce délai, envoyez-le à nouveau.", "This preview is kept %s after the upload; after that, upload the file again."},
}
