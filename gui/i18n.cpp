#include "gui/i18n.hpp"

#include <algorithm>
#include <list>
#include <unordered_map>

namespace mailsim {

namespace {

struct Entry {
  const char* key;
  const char* en;
  const char* pt;
};

// One row per interface string. Keep printf conversions identical in both columns.
const Entry kTable[] = {
    // Menus.
    {"menu.file", "File", "Ficheiro"},
    {"menu.open_lesson", "Open lesson...", "Abrir lição..."},
    {"menu.open_trace", "Open trace or capture (.jsonl, .pcap)...",
     "Abrir registo ou captura (.jsonl, .pcap)..."},
    {"menu.export_trace", "Export trace...", "Exportar registo..."},
    {"menu.export_pcap", "Export capture (pcap)...", "Exportar captura (pcap)..."},
    {"menu.export_svg", "Export sequence diagram (SVG)...",
     "Exportar diagrama de sequência (SVG)..."},
    {"menu.export_png", "Export sequence diagram (PNG)...",
     "Exportar diagrama de sequência (PNG)..."},
    {"menu.quit", "Quit", "Sair"},
    {"menu.view", "View", "Ver"},
    {"menu.theme_light", "Light theme", "Tema claro"},
    {"menu.theme_dark", "Dark theme", "Tema escuro"},
    {"menu.zoom_in", "Zoom in", "Ampliar"},
    {"menu.zoom_out", "Zoom out", "Reduzir"},
    {"menu.zoom_reset", "Actual size", "Tamanho real"},
    {"menu.zoom_now", "Zoom: %d%%", "Zoom: %d%%"},
    {"menu.panels", "Panels", "Painéis"},
    {"menu.language", "Language", "Idioma"},
    {"menu.lesson", "Lesson", "Lição"},
    {"menu.restart", "Restart", "Recomeçar"},
    {"menu.play", "Play", "Reproduzir"},
    {"menu.pause", "Pause", "Pausar"},
    {"menu.step_forward", "Step forward", "Avançar um passo"},
    {"menu.step_back", "Step back", "Voltar um passo"},
    {"menu.to_end", "Go to the end", "Ir para o fim"},
    {"menu.lessons", "Lessons", "Lições"},
    {"menu.without_tls", "Without TLS (replay in plaintext)", "Sem TLS (repetir em texto simples)"},
    {"msg.reloaded", "%s changed on disk: reloaded.", "%s mudou no disco: recarregado."},
    {"menu.live", "Live: a real server...", "Ao vivo: um servidor real..."},
    {"live.title", "Live: talk to a real mail server",
     "Ao vivo: falar com um servidor de correio real"},
    {"live.hint",
     "mailsim's own client engines run a short, safe script (nothing is deleted or changed) "
     "and the session opens in every view. Certificates are verified; the password is "
     "redacted in the trace.",
     "Os motores cliente do mailsim executam um guião curto e seguro (nada é apagado nem "
     "alterado) e a sessão abre-se em todas as vistas. Os certificados são verificados; a "
     "palavra-passe fica oculta no registo."},
    {"live.url", "Server URL", "URL do servidor"},
    {"live.user", "User", "Utilizador"},
    {"live.password", "Password", "Palavra-passe"},
    {"live.starttls", "Require STARTTLS / STLS", "Exigir STARTTLS / STLS"},
    {"live.ca_file", "CA file", "Ficheiro da AC"},
    {"live.ca_hint", "(optional) PEM of a private CA", "(opcional) PEM de uma AC privada"},
    {"live.idle", "IMAP IDLE seconds", "Segundos de IDLE (IMAP)"},
    {"live.insecure", "Do not verify the certificate", "Não verificar o certificado"},
    {"live.insecure_warn",
     "Unsafe: anyone on the path could pose as the server and read your password.",
     "Inseguro: qualquer pessoa no caminho pode fazer-se passar pelo servidor e ler a "
     "palavra-passe."},
    {"live.connect", "Connect", "Ligar"},
    {"live.running", "Talking to the server...", "A falar com o servidor..."},
    {"live.stop", "Stop", "Parar"},
    {"live.done", "Live session finished (exit %d): its trace is shown.",
     "Sessão ao vivo terminada (saída %d): o seu registo é mostrado."},
    {"live.failed", "Live session failed (exit %d): see File > Live for why.",
     "A sessão ao vivo falhou (saída %d): ver Ficheiro > Ao vivo para saber porquê."},
    {"menu.reset_answers", "Forget my answers", "Esquecer as minhas respostas"},
    {"menu.no_lessons", "(no lessons in %s)", "(nenhuma lição em %s)"},
    {"menu.help", "Help", "Ajuda"},
    {"menu.about", "About mailsim", "Sobre o mailsim"},
    {"menu.shortcuts", "Keyboard shortcuts", "Atalhos de teclado"},
    {"menu.ports", "Ports and protocols", "Portas e protocolos"},
    // Panels and tabs.
    {"panel.network", "Network", "Rede"},
    {"panel.lesson", "Lesson", "Lição"},
    {"panel.transcript", "Transcript", "Transcrição"},
    {"panel.sequence", "Sequence", "Sequência"},
    {"panel.mail_state", "Mail state", "Estado do correio"},
    {"panel.inspector", "Inspector", "Inspetor"},
    {"panel.compare", "Compare", "Comparar"},
    {"panel.anatomy", "Message anatomy", "Anatomia da mensagem"},
    {"panel.timeline", "Timeline", "Linha do tempo"},
    {"panel.protocol", "Transcript and sequence", "Transcrição e sequência"},
    {"panel.state", "Mail state and inspector", "Estado do correio e inspetor"},
    // Timeline.
    {"tl.play", "Play", "Reproduzir"},
    {"tl.pause", "Pause", "Pausar"},
    {"tl.start", "Start (Home)", "Início (Home)"},
    {"tl.back", "Previous protocol line (Left)", "Linha de protocolo anterior (seta esquerda)"},
    {"tl.forward", "Next protocol line (Right)", "Próxima linha de protocolo (seta direita)"},
    {"tl.end", "End (End)", "Fim (End)"},
    {"tl.speed", "%.0f ms/s", "%.0f ms/s"},
    {"tl.speed_tip", "Simulated milliseconds per real second",
     "Milissegundos simulados por segundo real"},
    {"tl.position", "%9.3f ms   line %zu/%zu", "%9.3f ms   linha %zu/%zu"},
    // Transcript.
    {"tx.follow", "Follow cursor", "Seguir o cursor"},
    {"tx.copy", "Copy", "Copiar"},
    {"tx.all_conns", "All connections", "Todas as ligações"},
    {"tx.conn_tip", "Show one connection only", "Mostrar só uma ligação"},
    {"tx.other", "Other", "Outros"},
    {"tx.mailbox", "mailbox", "caixa postal"},
    {"tx.queue", "queue", "fila"},
    // Sequence diagram.
    {"seq.empty", "No protocol lines yet.", "Ainda não há linhas de protocolo."},
    {"seq.content", "message content (%zu lines)", "conteúdo da mensagem (%zu linhas)"},
    {"seq.connect", "TCP connect %s (SYN, SYN-ACK, ACK)", "ligação TCP %s (SYN, SYN-ACK, ACK)"},
    {"seq.refused", "connection refused %s (RST)", "ligação recusada %s (RST)"},
    {"seq.close", "TCP close (FIN)", "ligação TCP fechada (FIN)"},
    {"seq.reset", "TCP reset (RST)", "ligação TCP interrompida (RST)"},
    {"seq.tls", "TLS handshake", "negociação TLS"},
    {"seq.tls_done", "TLS handshake: %s, encrypted from here",
     "negociação TLS: %s, cifrado daqui em diante"},
    {"seq.tls_failed", "TLS %s", "TLS %s"},
    {"seq.step", "step %zu", "passo %zu"},
    {"seq.legend_tls", "inside TLS (encrypted on the wire)", "dentro de TLS (cifrado na rede)"},
    // Inspector.
    {"insp.hint", "Click a packet, a transcript line or an arrow to inspect it.",
     "Clique num pacote, numa linha da transcrição ou numa seta para inspecioná-lo."},
    {"insp.event", "event #%zu at %.3f ms", "evento nº %zu em %.3f ms"},
    {"insp.segment", "%s segment on link %s (%s -> %s)", "segmento %s no enlace %s (%s -> %s)"},
    {"insp.seq_ack", "seq %u  ack %u  arrives at %.3f ms", "seq %u  ack %u  chega em %.3f ms"},
    {"insp.payload", "%zu bytes of payload", "%zu bytes de carga útil"},
    {"insp.line", "%s line, %s -> %s (%s)", "linha %s, %s -> %s (%s)"},
    {"insp.c2s", "client to server", "cliente para servidor"},
    {"insp.s2c", "server to client", "servidor para cliente"},
    {"insp.command", "command: %s", "comando: %s"},
    {"insp.reply", "reply: %s", "resposta: %s"},
    {"insp.meaning", "Meaning: %s", "Significado: %s"},
    {"insp.rule", "Rule: %s", "Regra: %s"},
    {"insp.no_bytes", "(this event carries no bytes)", "(este evento não carrega bytes)"},
    {"insp.conn_state", "Connection #%u, server state now: %s",
     "Ligação nº %u, estado do servidor agora: %s"},
    {"insp.machine", "SMTP server state machine (RFC 5321 §4.1.4)",
     "Máquina de estados do servidor SMTP (RFC 5321 §4.1.4)"},
    {"insp.no_commands", "(no commands)", "(nenhum comando)"},
    // Mail state.
    {"ms.mailbox_on", "%s on %s", "%s em %s"},
    {"ms.empty", "(empty)", "(vazia)"},
    {"ms.item", "uid %u  %llu bytes  %s", "uid %u  %llu bytes  %s"},
    {"ms.queues", "Mail queues  (%zu)", "Filas de correio  (%zu)"},
    {"ms.servers", "Servers", "Servidores"},
    {"ms.devices", "Devices (the mail app's local copy)",
     "Dispositivos (a cópia local do programa de e-mail)"},
    {"ms.device", "%s  %s", "%s  %s"},
    {"ms.folder", "%s  (%zu)", "%s  (%zu)"},
    {"ms.headers_only", "headers only", "só cabeçalhos"},
    {"ms.flagged", "flagged", "com bandeira"},
    {"ms.legend", "dot: unread   !: flagged   headers only: the body is still on the server",
     "ponto: por ler   !: com bandeira   só cabeçalhos: o corpo ainda está no servidor"},
    {"ms.no_devices", "(no devices in this lesson)", "(nenhum dispositivo nesta lição)"},
    // Compare.
    {"cmp.none",
     "No device in this lesson checks mail, so there is nothing to compare. Open "
     "pop3-vs-imap to compare POP3 and IMAP.",
     "Nenhum dispositivo desta lição verifica o correio, por isso não há nada a comparar. "
     "Abra pop3-vs-imap para comparar POP3 e IMAP."},
    {"cmp.intro",
     "The same lesson run three times, with every mail app on POP3 (delete), POP3 (leave a "
     "copy) and IMAP. Each column shows the end of the step the cursor is in.",
     "A mesma lição executada três vezes, com todos os programas de e-mail em POP3 (apagar), "
     "POP3 (deixar uma cópia) e IMAP. Cada coluna mostra o fim do passo onde está o cursor."},
    {"cmp.before", "Before the first step: move the cursor forward.",
     "Antes do primeiro passo: avance o cursor."},
    {"cmp.step", "Step %zu of %zu: %s", "Passo %zu de %zu: %s"},
    {"cmp.differences", "Differences at this step", "Diferenças neste passo"},
    {"cmp.v.pop3-delete", "POP3 (delete)", "POP3 (apagar)"},
    {"cmp.v.pop3-keep", "POP3 (leave a copy)", "POP3 (deixar uma cópia)"},
    {"cmp.v.imap", "IMAP", "IMAP"},
    {"cmp.server", "Server: %s", "Servidor: %s"},
    {"cmp.and", " and ", " e "},
    {"cmp.st.read", "read", "lida"},
    {"cmp.st.unread", "unread", "por ler"},
    {"cmp.st.flagged", ", flagged", ", com bandeira"},
    {"cmp.st.headers_only", ", headers only", ", só cabeçalhos"},
    {"cmp.st.in_folder", ", in %s", ", em %s"},
    {"cmp.st.absent", "not there", "ausente"},
    {"cmp.server_empty", "the server is empty", "o servidor está vazio"},
    {"cmp.server_has", "the server still has %s", "o servidor ainda tem %s"},
    {"cmp.one_message", "%s message", "%s mensagem"},
    {"cmp.n_messages", "%s messages", "%s mensagens"},
    {"cmp.nothing", "nothing", "nada"},
    {"cmp.server_same", "%s holds %s with every protocol.",
     "%s guarda %s com todos os protocolos."},
    {"cmp.only_with", "%s shows \"%s\" (%s) only with %s.", "%s mostra \"%s\" (%s) só com %s."},
    {"cmp.message_differs", "%s, \"%s\":", "%s, \"%s\":"},
    {"cmp.status_with", "%s with %s", "%s com %s"},
    {"cmp.problem", "%s: %s", "%s: %s"},
    {"cmp.no_differences", "No differences at this step: every protocol shows the same.",
     "Nenhuma diferença neste passo: todos os protocolos mostram o mesmo."},
    {"cmp.legend", "(dot: unread   !: flagged   ~: headers only)",
     "(ponto: por ler   !: com bandeira   ~: só cabeçalhos)"},
    {"cmp.server_short", "Server", "Servidor"},
    // Message anatomy.
    {"anat.none",
     "No message here. Select a line of an SMTP DATA transfer, a POP3 RETR or an IMAP "
     "FETCH BODY[] (or move the cursor there) to take apart the message it carries.",
     "Nenhuma mensagem aqui. Selecione uma linha de uma transferência SMTP DATA, de um POP3 "
     "RETR ou de um IMAP FETCH BODY[] (ou mova o cursor até lá) para desmontar a mensagem "
     "que transporta."},
    {"anat.title", "Connection #%u (%s), carried by: %s",
     "Ligação nº %u (%s), transportada por: %s"},
    {"anat.future", "(the cursor has not reached this message yet)",
     "(o cursor ainda não chegou a esta mensagem)"},
    {"anat.envelope", "Envelope (SMTP commands)", "Envelope (comandos SMTP)"},
    {"anat.header", "Header (inside the message)", "Cabeçalho (dentro da mensagem)"},
    {"anat.no_envelope", "%s carries no envelope; Return-Path keeps the envelope sender: %s",
     "%s não transporta envelope; o Return-Path guarda o remetente do envelope: %s"},
    {"anat.env_differs",
     "Envelope and header differ: servers deliver by the envelope, mail apps show the header.",
     "O envelope e o cabeçalho diferem: os servidores entregam pelo envelope, os programas de "
     "e-mail mostram o cabeçalho."},
    {"anat.hops", "Received hops, oldest first (%zu)", "Saltos Received, do mais antigo (%zu)"},
    {"anat.no_hops", "(no Received: fields yet: the message has not passed a server)",
     "(ainda sem campos Received: a mensagem ainda não passou por um servidor)"},
    {"anat.fields", "Header fields (%zu): click one to go to the line that carried it",
     "Campos do cabeçalho (%zu): clique num para ir à linha que o transportou"},
    {"anat.mime", "MIME structure", "Estrutura MIME"},
    {"anat.part", "%s  %zu bytes", "%s  %zu bytes"},
    {"anat.binary", "(binary data)", "(dados binários)"},
    {"anat.col_from", "from", "de"},
    {"anat.col_by", "by", "por"},
    {"anat.col_with", "with", "com"},
    {"anat.col_id", "id", "id"},
    {"anat.col_date", "date", "data"},
    {"insp.machine_pop3", "POP3 server state machine (RFC 1939 §3)",
     "Máquina de estados do servidor POP3 (RFC 1939 §3)"},
    {"insp.machine_imap", "IMAP server state machine (RFC 3501 §3)",
     "Máquina de estados do servidor IMAP (RFC 3501 §3)"},
    // Lesson narration.
    {"nar.step", "Step %zu of %zu", "Passo %zu de %zu"},
    {"nar.score", "Score: %zu right, %zu of %zu answered",
     "Pontuação: %zu certas, %zu de %zu respondidas"},
    {"nar.question", "Question", "Pergunta"},
    {"nar.without_tls", "Without TLS", "Sem TLS"},
    {"nar.without_tls_tip",
     "Run the same lesson again with TLS switched off: every password and message crosses "
     "the network readable (see the Eavesdropper tab).",
     "Repetir a mesma lição com o TLS desligado: todas as palavras-passe e mensagens "
     "atravessam a rede legíveis (ver o separador Espião)."},
    {"nar.client_sends", "The client sends:", "O cliente envia:"},
    {"nar.answer_first", "Answer before you go on: the next lines give it away.",
     "Responda antes de continuar: as linhas seguintes revelam a resposta."},
    {"nar.right", "Right!", "Certo!"},
    {"nar.wrong", "Not quite: the answer is %s.", "Não exatamente: a resposta é %s."},
    {"nar.no_answer", "The run never reached this command.",
     "A execução nunca chegou a este comando."},
    {"nar.real_reply", "What the server really answered:", "O que o servidor respondeu de facto:"},
    {"nar.show_reply", "Show the reply in the trace", "Mostrar a resposta no registo"},
    {"nar.paused", "Paused here by the lesson: press Play (Space) to go on.",
     "A lição faz aqui uma pausa: prima Reproduzir (Espaço) para continuar."},
    {"nar.trace_title", "Trace %s", "Registo %s"},
    {"nar.trace_summary", "A trace read from a file: every view shows its events.",
     "Um registo lido de um ficheiro: todas as vistas mostram os seus eventos."},
    // Hosts of a trace read from a file (the trace does not say what they are called).
    {"role.device", "Device", "Dispositivo"},
    {"role.server", "Mail server", "Servidor de correio"},
    {"role.dns", "DNS server", "Servidor DNS"},
    {"role.router", "Router", "Router"},
    // Network.
    {"net.tooltip", "%s %s -> %s\n%s:%u -> %s:%u  [%s]\nseq %u  ack %u  %zu bytes",
     "%s %s -> %s\n%s:%u -> %s:%u  [%s]\nseq %u  ack %u  %zu bytes"},
    {"net.tooltip_tls", "%s %s -> %s\n%s:%u -> %s:%u  [%s]\nencrypted: %zu bytes",
     "%s %s -> %s\n%s:%u -> %s:%u  [%s]\ncifrado: %zu bytes"},
    {"net.legend_tls", "TLS (encrypted)", "TLS (cifrado)"},
    // Inspector: TLS.
    {"insp.tls", "TLS on connection #%u", "TLS na ligação nº %u"},
    {"insp.tls_msg", "TLS %s, %s -> %s, %llu bytes", "TLS %s, %s -> %s, %llu bytes"},
    {"insp.tls_seen", "Handshake messages so far:", "Mensagens do handshake até agora:"},
    {"insp.tls_none", "(the handshake has not started yet)", "(o handshake ainda não começou)"},
    {"insp.tls_version", "Version: %s", "Versão: %s"},
    {"insp.tls_cipher", "Cipher suite: %s", "Suíte de cifra: %s"},
    {"insp.tls_chain", "Certificate chain the server presented (leaf first):",
     "Cadeia de certificados apresentada pelo servidor (folha primeiro):"},
    {"insp.tls_verify", "Verification by the client: %s", "Verificação pelo cliente: %s"},
    {"insp.tls_pending", "Not established yet.", "Ainda não estabelecido."},
    {"insp.tls_established", "The handshake is complete: from here on the bytes are encrypted.",
     "O handshake terminou: daqui em diante os bytes vão cifrados."},
    {"insp.tls_failed", "TLS failed: %s", "O TLS falhou: %s"},
    {"insp.tls_resumed",
     "Resumed session (RFC 8446 §2.2): the server sent no certificate this time; the chain "
     "below is the one it presented on an earlier connection.",
     "Sessão retomada (RFC 8446 §2.2): desta vez o servidor não enviou certificado; a cadeia "
     "abaixo é a que apresentou numa ligação anterior."},
    // Eavesdropper.
    {"panel.eavesdropper", "Eavesdropper", "Espião"},
    {"eav.intro", "What someone tapping the link %s has read up to the cursor.",
     "O que alguém a escutar o enlace %s leu até ao cursor."},
    {"eav.pick", "Link to tap", "Enlace a escutar"},
    {"eav.none", "Nothing has crossed this link yet.", "Ainda nada passou por este enlace."},
    {"eav.conn", "Connection #%u: %s -> %s port %u", "Ligação nº %u: %s -> %s porta %u"},
    {"eav.plain_bytes", "%llu bytes readable as plain text",
     "%llu bytes legíveis em texto simples"},
    {"eav.tls", "Encrypted (TLS): %llu bytes the eavesdropper cannot read",
     "Cifrado (TLS): %llu bytes que o espião não consegue ler"},
    {"eav.starttls", "It started in plain text and switched to TLS with STARTTLS.",
     "Começou em texto simples e passou a TLS com STARTTLS."},
    {"eav.sni", "Server name seen in the ClientHello (SNI): %s",
     "Nome do servidor visto no ClientHello (SNI): %s"},
    {"eav.only_meta", "With TLS only who talks to whom, when and how much can be seen.",
     "Com TLS só se vê quem fala com quem, quando e quanto."},
    {"eav.credentials", "Credentials read:", "Credenciais lidas:"},
    {"eav.masked", "(masked here; `mailsim run --show-secrets` shows them)",
     "(mascaradas aqui; `mailsim run --show-secrets` mostra-as)"},
    {"eav.subjects", "Message subjects read:", "Assuntos de mensagens lidos:"},
    {"eav.lines", "Readable lines (%zu)", "Linhas legíveis (%zu)"},
    // Dialogs.
    {"dlg.open_lesson", "Open lesson", "Abrir lição"},
    {"dlg.lessons_in", "Lessons in %s", "Lições em %s"},
    {"dlg.path", "Path", "Caminho"},
    {"dlg.open", "Open", "Abrir"},
    {"dlg.cancel", "Cancel", "Cancelar"},
    {"dlg.close", "Close", "Fechar"},
    {"dlg.open_trace", "Open trace", "Abrir registo"},
    {"dlg.trace_hint",
     "A JSON-lines trace (`mailsim run --trace`, Export trace) or a pcap/pcapng capture of "
     "real traffic (Wireshark, tcpdump).",
     "Um registo JSON-lines (`mailsim run --trace`, Exportar registo) ou uma captura "
     "pcap/pcapng de tráfego real (Wireshark, tcpdump)."},
    {"dlg.export_trace", "Export trace", "Exportar registo"},
    {"dlg.export_hint", "Every event of the trace as JSON lines (%zu events).",
     "Todos os eventos do registo em JSON lines (%zu eventos)."},
    {"dlg.save", "Save", "Guardar"},
    {"dlg.saved", "Saved %zu events to %s", "%zu eventos guardados em %s"},
    {"dlg.cannot_write", "Cannot write %s", "Não foi possível gravar %s"},
    {"dlg.export_svg", "Export sequence diagram", "Exportar diagrama de sequência"},
    {"dlg.export_svg_hint",
     "The ladder diagram of the whole run as an SVG picture (opens in any browser).",
     "O diagrama de sequência de toda a execução como imagem SVG (abre em qualquer navegador)."},
    {"dlg.export_png_hint",
     "The ladder diagram of the whole run as a PNG picture at twice its size, or as large as "
     "fits for a very long run (for slides).",
     "O diagrama de sequência de toda a execução como imagem PNG ao dobro do tamanho, ou o "
     "maior que couber numa execução muito longa (para diapositivos)."},
    {"dlg.saved_svg", "Saved the diagram (%ld arrows) to %s",
     "Diagrama (%ld setas) guardado em %s"},
    {"dlg.export_pcap", "Export capture (pcap)", "Exportar captura (pcap)"},
    {"dlg.export_pcap_hint",
     "Every packet as a pcap file for Wireshark or tshark (TLS stays encrypted).",
     "Todos os pacotes num ficheiro pcap para o Wireshark ou o tshark (o TLS fica cifrado)."},
    {"dlg.saved_pcap", "Saved %zu packets to %s", "%zu pacotes guardados em %s"},
    {"dlg.no_packets",
     "This trace holds no packets (%zu written to %s): serve traces record lines only.",
     "Este registo não tem pacotes (%zu gravados em %s): os registos do serve só têm linhas."},
    {"dlg.cannot_read", "Cannot read %s", "Não foi possível ler %s"},
    {"dlg.error", "Error: %s", "Erro: %s"},
    // Help.
    {"about.text",
     "mailsim %s: watch e-mail move. Real SMTP, POP3 and IMAP between simulated hosts, step "
     "by step.",
     "mailsim %s: veja o e-mail se mover. SMTP, POP3 e IMAP reais entre máquinas simuladas, "
     "passo a passo."},
    {"about.libs", "Dear ImGui %s, GLFW %s", "Dear ImGui %s, GLFW %s"},
    {"about.font", "Font: %s", "Tipo de letra: %s"},
    {"about.builtin", "(DejaVu not found: fonts-dejavu-core)",
     "(DejaVu não encontrado: fonts-dejavu-core)"},
    {"about.settings", "Settings: %s", "Definições: %s"},
    {"sc.key", "Key", "Tecla"},
    {"key.space", "Space", "Espaço"},
    {"key.left", "Left", "Seta esquerda"},
    {"key.right", "Right", "Seta direita"},
    {"key.end", "End", "End"},
    {"key.left_right", "Left / Right", "Setas esquerda / direita"},
    {"key.home_end", "Home / End", "Home / End"},
    {"sc.action", "Action", "Ação"},
    {"sc.play", "Play / pause", "Reproduzir / pausar"},
    {"sc.step", "Previous / next protocol line", "Linha de protocolo anterior / seguinte"},
    {"sc.ends", "Start / end of the lesson", "Início / fim da lição"},
    {"sc.zoom", "Zoom in / out", "Ampliar / reduzir"},
    {"sc.zoom_reset", "Actual size", "Tamanho real"},
    {"sc.open", "Open a lesson", "Abrir uma lição"},
    {"sc.quit", "Quit", "Sair"},
    {"sc.click", "Click a packet, line or arrow", "Clicar num pacote, linha ou seta"},
    {"sc.click_do", "Inspect it and move the cursor there",
     "Inspecioná-lo e mover o cursor até ele"},
    {"ports.port", "Port", "Porta"},
    {"ports.protocol", "Protocol", "Protocolo"},
    {"ports.use", "Use", "Uso"},
    {"ports.25", "Relay: one mail server hands mail to the next",
     "Retransmissão: um servidor de correio entrega a mensagem ao seguinte"},
    {"ports.587", "Submission: your mail app sends to your own server, after AUTH",
     "Submissão: o programa de e-mail envia ao seu próprio servidor, após AUTH"},
    {"ports.465", "Submission over implicit TLS (encrypted from the first byte)",
     "Submissão com TLS implícito (cifrada desde o primeiro byte)"},
    {"ports.110", "Download mail to one device, usually deleting it from the server",
     "Transferir o correio para um dispositivo, em geral apagando-o do servidor"},
    {"ports.995", "POP3 over implicit TLS", "POP3 com TLS implícito"},
    {"ports.143", "Read mail kept on the server, in sync on every device",
     "Ler o correio guardado no servidor, sincronizado em todos os dispositivos"},
    {"ports.993", "IMAP over implicit TLS", "IMAP com TLS implícito"},
    {"ports.53", "Look up a domain's mail servers (MX) and addresses (A)",
     "Consultar os servidores de correio (MX) e os endereços (A) de um domínio"},
};

std::string g_lang = "en";

// Views look strings up every frame: a hash table, built once.
const Entry* find(std::string_view key) {
  static const std::unordered_map<std::string_view, const Entry*> index = [] {
    std::unordered_map<std::string_view, const Entry*> m;
    for (const auto& e : kTable) m.emplace(e.key, &e);
    return m;
  }();
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace

const std::vector<Language>& languages() {
  static const std::vector<Language> all = {{"en", "English"}, {"pt", "Português"}};
  return all;
}

void set_language(std::string_view code) {
  g_lang = code == "pt" ? "pt" : "en";
}

const std::string& language() {
  return g_lang;
}

const char* tr(std::string_view key, std::string_view lang) {
  const Entry* e = find(key);
  if (!e) {
    // Not in the table: give the key back (kept alive in a small set of strings).
    static std::list<std::string> unknown;  // a list: pointers stay valid
    auto it = std::find(unknown.begin(), unknown.end(), key);
    if (it == unknown.end()) it = unknown.insert(unknown.end(), std::string(key));
    return it->c_str();
  }
  if (lang == "pt" && e->pt && *e->pt) return e->pt;
  return e->en;
}

const char* tr(std::string_view key) {
  return tr(key, g_lang);
}

std::vector<std::string_view> i18n_keys() {
  std::vector<std::string_view> keys;
  for (const auto& e : kTable) keys.emplace_back(e.key);
  return keys;
}

}  // namespace mailsim
