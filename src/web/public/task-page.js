import { api } from './api.js';

const ACTION = { view: 0, submit: 1, solve: 2 };
const userSelect = document.getElementById('user-select');
const taskList = document.getElementById('task-list');
const taskSection = document.getElementById('task');
const status = document.getElementById('status');
let openTask = null;

const say = (text) => (status.textContent = text);
const currentUser = () => Number(userSelect.value) || null;

// Through the public ingest API like any client; the event_id makes a retried request harmless.
const record = (action, stepId) =>
  api('POST', '/api/events', {
    event_id: crypto.randomUUID(),
    user_id: currentUser(),
    step_id: stepId,
    action_id: ACTION[action],
  });

async function loadUsers(select) {
  const { users } = await api('GET', '/api/users?limit=1000');
  userSelect.replaceChildren(new Option('Choose a user…', ''));
  for (const u of users)
    userSelect.add(new Option(`${u.name} (${u.is_guest ? 'guest' : 'registered'}, #${u.id})`, u.id));
  userSelect.value = String(select ?? localStorage.getItem('steplog-user') ?? '');
}

async function loadTasks() {
  const { tasks } = await api('GET', '/api/tasks?limit=1000');
  taskList.replaceChildren();
  if (tasks.length === 0)
    taskList.append(
      Object.assign(document.createElement('li'), { textContent: 'No tasks yet: an admin creates them.' }),
    );
  for (const t of tasks) {
    const button = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'link',
      textContent: t.title,
    });
    button.addEventListener('click', () => open(t.id));
    const item = document.createElement('li');
    item.append(button);
    taskList.append(item);
  }
}

async function open(id) {
  if (!currentUser()) return say('Choose or create a user first.');
  const task = await api('GET', `/api/tasks/${id}`);
  openTask = task;
  document.getElementById('task-title').textContent = task.title;
  document.getElementById('task-text').textContent = task.text;
  taskSection.hidden = false;
  await record('view', task.id);
  say(`Viewed “${task.title}” (view recorded).`);
  document.getElementById('answer').focus();
}

document.getElementById('answer-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('answer');
  try {
    await record('submit', openTask.id);
    const { correct } = await api('POST', `/api/tasks/${openTask.id}/check`, { answer: input.value });
    if (correct) {
      await record('solve', openTask.id);
      say(`Correct! “${openTask.title}” solved (submit and solve recorded).`);
    } else {
      say('Not quite: try again (submit recorded).');
    }
  } catch (error) {
    say(`Error: ${error.message}`);
  }
});

document.getElementById('user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const registered = form.registered.checked;
    const user = await api('POST', '/api/users', {
      name: form.name.value,
      email: form.email.value,
      registration_date: registered ? new Date().toISOString() : null,
    });
    await loadUsers(user.id);
    localStorage.setItem('steplog-user', String(user.id));
    form.reset();
    document.getElementById('new-user').open = false;
    say(`Created ${user.is_guest ? 'guest' : 'registered user'} ${user.name}; you are acting as them.`);
  } catch (error) {
    say(`Error${error.field ? ` in ${error.field}` : ''}: ${error.message}`);
  }
});

userSelect.addEventListener('change', () => localStorage.setItem('steplog-user', userSelect.value));

Promise.all([loadUsers(), loadTasks()]).catch((error) => say(`Error: ${error.message}`));
