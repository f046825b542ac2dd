# Email untuk pengikut saat penulis menerbitkan tulisan. Versi HTML
# menerima nilai yang sudah di-escape.

email-subject = { $author }: { $title }
email-intro = { $author } menerbitkan tulisan baru di Warta:
email-read-it = Baca: { $url }
email-read-story = Baca tulisannya
email-why = Anda menerima email ini karena mengikuti { $author } di Warta.
email-stop = Berhenti menerima email ini: { $url }
email-unsubscribe = Berhenti berlangganan

# The links and notices an account is sent.
email-greeting = Halo { $username },
email-reset-subject = Buat kata sandi Warta baru
email-reset-intro = Seseorang (semoga Anda) meminta kata sandi baru untuk akun Warta Anda.
email-reset-action = Buat kata sandi baru
email-reset-link = Buat kata sandi baru: { $url }
email-link-expires = Tautan berlaku 30 menit, sekali pakai.
email-reset-ignore = Jika Anda tidak memintanya, abaikan email ini: kata sandi Anda tetap seperti semula.
email-verify-subject = Verifikasi alamat email Anda untuk Warta
email-verify-intro = Mohon konfirmasikan bahwa { $email } adalah alamat Anda, agar Warta dapat mengirim kabar dari penulis yang Anda ikuti.
email-verify-action = Verifikasi alamat saya
email-verify-link = Verifikasi alamat Anda: { $url }
email-verify-ignore = Jika Anda tidak mendaftar di Warta atau mengganti alamat, abaikan email ini: tidak ada yang akan dikirim kepada Anda.
email-password-changed-subject = Kata sandi Warta Anda telah diganti
email-password-changed-text = Kata sandi akun Warta Anda baru saja diganti, dan semua sesi telah dikeluarkan. Jika bukan Anda yang melakukannya, buat kata sandi baru sekarang: { $url }
email-address-changed-subject = Alamat email Warta Anda telah diganti
email-address-changed-text = Alamat email akun Warta Anda telah diganti dari { $old } menjadi { $new }. Alamat ini tidak lagi dapat dipakai untuk masuk. Jika bukan Anda yang mengubahnya, orang lain mengetahui kata sandi Anda: segera beri tahu pengelola Warta ini.
