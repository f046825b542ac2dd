# Email untuk pengikut saat penulis menerbitkan tulisan. Versi HTML
# menerima nilai yang sudah di-escape.

email-subject = { $author }: { $title }
email-intro = { $author } menerbitkan tulisan baru di Warta:
email-read-it = Baca: { $url }
email-read-story = Baca tulisannya
email-why = Anda menerima email ini karena mengikuti { $author } di Warta.
email-stop = Berhenti menerima email ini: { $url }
email-unsubscribe = Berhenti berlangganan
